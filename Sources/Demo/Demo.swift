// The scenarios `swiftnet demo` runs: each a short, real exchange over real sockets that prints
// what happened. Later layers add their scenarios to `Demo.scenarios`.
import Glibc

/// One demo scenario: a name, and a body that narrates into a transcript and throws on failure.
public struct DemoScenario: Sendable {
    public typealias Say = @Sendable (String) -> Void
    public let name: String
    public let run: @Sendable (_ workdir: String, _ say: Say) async throws -> Void

    public init(name: String, run: @escaping @Sendable (_ workdir: String, _ say: Say) async throws -> Void) {
        self.name = name
        self.run = run
    }
}

/// Runs the demo scenarios.
public enum Demo {
    /// Every scenario, in the order the demo runs them.
    public static let scenarios: [DemoScenario] = [
        rawEchoScenario, fdPassScenario, netEchoScenario, netErrorsScenario, deadlineScenario, handOffScenario,
    ]

    /// Runs `scenarios` (all of them by default) in a fresh temporary directory, printing a
    /// transcript through `print`. Returns true only if all of them worked. The directory is
    /// removed afterwards.
    public static func run(
        _ scenarios: [DemoScenario] = Demo.scenarios, print: @escaping @Sendable (String) -> Void = { Swift.print($0) }
    ) async -> Bool {
        var template = Array("/tmp/swiftnet-demo.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            print("demo: cannot create a temporary directory: errno \(errno)")
            return false
        }
        let workdir = String(cString: made)
        defer { removeFlatDirectory(workdir) }
        print("swiftnet demo, working in \(workdir)")
        var failed = 0
        for scenario in scenarios {
            do {
                try await scenario.run(workdir) { print("[\(scenario.name)] \($0)") }
                print("[\(scenario.name)] ok")
            } catch {
                failed += 1
                print("[\(scenario.name)] FAILED: \(error)")
            }
        }
        print(failed == 0
              ? "all \(scenarios.count) scenarios worked"
              : "\(failed) of \(scenarios.count) scenarios failed")
        return failed == 0
    }
}

/// A scenario's own failure, distinct from the Errno a system call throws.
struct DemoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Shows bytes the way Go's %q shows a string, so a transcript makes newlines visible.
func quoted(_ bytes: some Sequence<UInt8>) -> String {
    var s = "\""
    for b in bytes {
        switch b {
        case UInt8(ascii: "\n"): s += "\\n"
        case UInt8(ascii: "\""): s += "\\\""
        case 0x20..<0x7f: s.unicodeScalars.append(Unicode.Scalar(b))
        default: s += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
        }
    }
    return s + "\""
}

/// Removes a directory the demo filled with plain files.
private func removeFlatDirectory(_ path: String) {
    if let dir = opendir(path) {
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(dir)
    }
    rmdir(path)
}
