// Message-oriented operations on a NetFD: recvfrom/sendto and recvmsg/sendmsg through the
// poller, each attempt pinning the caller's array only for its one system call.
import NetPoll
import Syscall

extension NetFD {
    func readFrom(_ p: inout [UInt8]) async throws -> (n: Int, from: (any Sockaddr)?) {
        do {
            return try await pfd.io(.read, .read) { (fd) throws(Errno) in
                try p.withUnsafeMutableBytes { raw in
                    Result { () throws(Errno) in try Syscall.recvfrom(fd, into: raw, 0) }
                }.get()
            }
        } catch {
            throw Self.wrap(error, "recvfrom")
        }
    }

    func writeTo(_ bytes: [UInt8], _ to: any Sockaddr) async throws -> Int {
        do {
            return try await pfd.io(.write, .write) { (fd) throws(Errno) in
                try bytes.withUnsafeBytes { raw in
                    Result { () throws(Errno) in try Syscall.sendto(fd, from: raw, Syscall.MSG_NOSIGNAL, to) }
                }.get()
            }
        } catch {
            throw Self.wrap(error, "sendto")
        }
    }

    /// recvmsg with MSG_CMSG_CLOEXEC always added, so received fds are never inherited by a
    /// child process, even for an instant.
    func readMsg(_ p: inout [UInt8], _ oob: inout [UInt8], flags: Int32) async throws -> RecvmsgResult {
        try await recvmsgIO { (fd) throws(Errno) in
            try Syscall.recvmsg(fd, &p, &oob, flags | Syscall.MSG_CMSG_CLOEXEC)
        }
    }

    /// readMsg into memory the caller keeps alive across the wait: nothing is allocated. A
    /// first try, then the wait, as `read(into:)`: inlined into the exported method, a message
    /// that is already there costs no async frame.
    @inline(__always)
    func readMsg(into p: UnsafeMutableRawBufferPointer, oob: UnsafeMutableRawBufferPointer, flags: Int32) async throws -> RecvmsgResult {
        let flags = flags | Syscall.MSG_CMSG_CLOEXEC
        do {
            var first = PollFD.Attempt.lockBusy
            if let r = try pfd.tryRecvmsg(into: p, oob: oob, flags: flags, first: &first) { return r }
            return try await pfd.recvmsgWaiting(into: p, oob: oob, flags: flags, after: first)
        } catch {
            throw Self.wrap(error, "recvmsg")
        }
    }

    /// recvmsg(2) attempts until one does not fail with EAGAIN. Received descriptors are
    /// close-on-exec (MSG_CMSG_CLOEXEC, which every attempt passes).
    @inline(__always)
    private func recvmsgIO(_ attempt: (Int32) throws(Errno) -> RecvmsgResult) async throws -> RecvmsgResult {
        do {
            return try await pfd.io(.read, .read, attempt)
        } catch {
            throw Self.wrap(error, "recvmsg")
        }
    }

    /// sendmsg with MSG_NOSIGNAL; returns the data bytes sent (0 for Go's dummy byte).
    func writeMsg(_ p: [UInt8], _ oob: [UInt8], _ to: (any Sockaddr)?) async throws -> Int {
        do {
            return try await pfd.io(.write, .write) { (fd) throws(Errno) in
                try Syscall.sendmsgN(fd, p, oob, to, Syscall.MSG_NOSIGNAL)
            }
        } catch {
            throw Self.wrap(error, "sendmsg")
        }
    }
}
