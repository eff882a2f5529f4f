// The Subprocess helper the interop tests stand on: children see only fds 0-2, waits are
// bounded, a timed-out child is killed, and a child that stops reading is EPIPE, not SIGPIPE.
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct SubprocessTests {
    @Test("A child inherits only stdin, stdout and stderr")
    func childSeesOnlyStdio() async throws {
        let ls = try #require(Peers.which("ls"))
        // Something of ours that is not close-on-exec must still stay out of the child.
        let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM, 0)
        defer {
            try? Syscall.close(a)
            try? Syscall.close(b)
        }

        let result = try await Subprocess.run(ls, ["/proc/self/fd"])

        // 3 is the directory ls itself has open while it lists.
        #expect(result.stdoutText == "0\n1\n2\n3\n", "\(result)")
    }

    @Test("wait gives up at its timeout and kills the child")
    func waitTimesOut() async throws {
        let sleep = try #require(Peers.which("sleep"))
        let child = try Subprocess(sleep, ["30"])
        let started = ContinuousClock.now

        await #expect(throws: SubprocessError.self) { try await child.wait(timeout: .milliseconds(200)) }

        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(Glibc.kill(child.pid, 0) == -1 && errno == ESRCH, "the child must be killed and reaped")
    }

    @Test("readLine gives up at its timeout; the error carries what the child wrote")
    func readLineTimesOut() async throws {
        let sh = try #require(Peers.which("sh"))
        let child = try Subprocess(sh, ["-c", "printf 'no newline'; sleep 30"])

        do {
            _ = try await child.readLine(timeout: .milliseconds(300))
            Issue.record("readLine returned without a line")
        } catch {
            #expect("\(error)".contains("no newline"), "\(error)")
        }
        // Dropping the object kills and reaps the child and closes its pipes (.fdLeakCheck).
    }

    @Test("Writing to a child that stopped reading is an EPIPE error, not a SIGPIPE")
    func brokenPipe() async throws {
        let head = try #require(Peers.which("head"))
        let child = try Subprocess(head, ["-c", "1"])

        do {
            try await child.write([UInt8](repeating: 0x61, count: 1 << 20), timeout: .seconds(10))
            Issue.record("a megabyte went into a pipe whose reader exited")
        } catch let error as SubprocessError {
            #expect(error.brokenPipe, "\(error)")
        }
        let result = try await child.wait()
        #expect(result.status == .exited(0))
        #expect(result.stdoutText == "a")
    }
}
