import Demo
import Synchronization
import TestSupport
import Testing
import Glibc

@Suite(.fdLeakCheck)
struct DemoTests {
    /// Collects a transcript from any thread.
    final class Transcript: Sendable {
        let lines = Mutex<[String]>([])
        func say(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func everyScenarioWorksAndSaysSo() async {
        let transcript = Transcript()
        #expect(await Demo.run(print: transcript.say))
        let lines = transcript.all
        #expect(lines.last == "all \(Demo.scenarios.count) scenarios worked")
        for scenario in Demo.scenarios {
            #expect(lines.contains("[\(scenario.name)] ok"), "no ok line for \(scenario.name)")
        }
        #expect(lines.contains { $0.contains("got back \"hello, swiftnet\\n\"") })
        #expect(lines.contains { $0.contains("read through the received fd: \"a file handed over a socket\\n\"") })
        #expect(lines.contains("[net errors] dial unix /no/such.sock: connect: no such file or directory"))
        #expect(lines.contains { $0.hasPrefix("[deadline] read unix @->") && $0.hasSuffix(": i/o timeout") })
        #expect(lines.contains { $0.contains("the client got \"served by the new owner\\n\"") })
    }

    @Test func aFailingScenarioFailsTheRunAndNamesTheError() async {
        let transcript = Transcript()
        let broken = DemoScenario(name: "broken") { _, _ in throw BrokenScenario() }
        #expect(await !Demo.run(Demo.scenarios + [broken], print: transcript.say))
        #expect(transcript.all.contains("[broken] FAILED: the scenario broke"))
        #expect(transcript.all.last == "1 of \(Demo.scenarios.count + 1) scenarios failed")
    }

    @Test func theWorkingDirectoryIsRemoved() async {
        let transcript = Transcript()
        let seen = Mutex<String?>(nil)
        let probe = DemoScenario(name: "probe") { workdir, _ in seen.withLock { $0 = workdir } }
        #expect(await Demo.run([probe], print: transcript.say))
        let workdir = try! #require(seen.withLock { $0 })
        #expect(access(workdir, F_OK) != 0, "\(workdir) was left behind")
    }
}

struct BrokenScenario: Error, CustomStringConvertible {
    var description: String { "the scenario broke" }
}
