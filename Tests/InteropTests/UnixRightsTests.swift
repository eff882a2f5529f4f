// Control messages cross between Go and Swift byte for byte: Syscall.unixRights and
// unixCredentials build what Go's syscall package builds, and each side parses the other's.
import Glibc
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck, .requiresGo)
struct UnixRightsTests {
    /// Runs the Go peer `unixrights` and returns its stdout; fails unless it exits 0.
    private func unixrights(_ arguments: String...) async throws -> String {
        let result = try await Subprocess.run(try await goPeer("unixrights"), arguments)
        try #require(result.status == .exited(0), "\(result)")
        return result.stdoutText
    }

    @Test("Syscall.unixRights builds the bytes of Go's syscall.UnixRights",
          arguments: [[Int32(3), 4], [0], [1, 2, 3, 4, 5]])
    func unixRightsMatchesGo(fds: [Int32]) async throws {
        let go = try await unixrights("build", "rights:" + fds.map(String.init).joined(separator: ","))
        #expect(go == hex(Syscall.unixRights(fds)) + "\n")
    }

    @Test("Syscall.unixRights(3, 4) is Go's syscall.UnixRights(3, 4)")
    func unixRightsThreeFour() async throws {
        let go = try await unixrights("build", "rights:3,4")
        #expect(try bytes(hex: go) == Syscall.unixRights(3, 4))
    }

    @Test("Syscall.unixCredentials builds the bytes of Go's syscall.UnixCredentials")
    func unixCredentialsMatchesGo() async throws {
        let go = try await unixrights("build", "creds:1234,1000,100")
        #expect(try bytes(hex: go) == Syscall.unixCredentials(Ucred(pid: 1234, uid: 1000, gid: 100)))
    }

    @Test("A buffer built in Swift parses in Go to the same messages")
    func goParsesSwiftBuffer() async throws {
        let buffer = Syscall.unixRights(3, 4) + Syscall.unixRights(5)
            + Syscall.unixCredentials(Ucred(pid: 1, uid: 2, gid: 3))

        let go = try await unixrights("parse", hex(buffer))

        #expect(go == "rights 3 4\nrights 5\ncreds pid=1 uid=2 gid=3\n")
    }

    @Test("A buffer with two messages from Go parses in Swift")
    func swiftParsesGoBuffer() async throws {
        let buffer = try bytes(hex: try await unixrights("build", "rights:3,4", "creds:1,2,3"))

        let messages = try Syscall.parseSocketControlMessage(buffer)

        try #require(messages.count == 2)
        #expect(try Syscall.parseUnixRights(messages[0]) == [3, 4])
        #expect(try Syscall.parseUnixCredentials(messages[1]) == Ucred(pid: 1, uid: 2, gid: 3))
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixRights(messages[1]) }
    }

    @Test("Two SCM_RIGHTS messages from Go parse in Swift, each to its own fds")
    func swiftParsesTwoRightsMessages() async throws {
        let buffer = try bytes(hex: try await unixrights("build", "rights:7", "rights:8,9,10"))

        let fds = try Syscall.parseSocketControlMessage(buffer).map { try Syscall.parseUnixRights($0) }

        #expect(fds == [[7], [8, 9, 10]])
    }

    @Test("A cmsg_len past the buffer or shorter than a header is EINVAL in Go and in Swift",
          arguments: [UInt8(64), 8])
    func malformedLengthRejectedByBoth(length: UInt8) async throws {
        var buffer = Syscall.unixRights(3, 4)
        buffer[0] = length  // cmsg_len, little-endian: 64 runs past the 24 bytes, 8 is shorter than a header

        let go = try await Subprocess.run(try await goPeer("unixrights"), ["parse", hex(buffer)])

        #expect(go.status == .exited(1))
        #expect(go.stderrText == "unixrights: invalid argument\n")
        #expect(throws: Errno.EINVAL) { try Syscall.parseSocketControlMessage(buffer) }
    }
}
