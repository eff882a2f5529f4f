// Go's syscall.RawConn: the socket's fd for a caller's own system calls, with the poller's
// waiting and the fd's reference counting still in force.
import NetPoll
import Syscall

/// Raw access to a socket's fd: Go's `syscall.RawConn`, from ``SocketConn/syscallConn()`` or a
/// ``Dialer`` `control` hook.
///
/// ```swift
/// try conn.syscallConn().control { fd in
///     try Syscall.setsockoptInt(fd, SOL_SOCKET, SO_PRIORITY, 6)
/// }
/// ```
public struct RawConn: Sendable {
    let fd: NetFD

    init(_ fd: NetFD) {
        // The caller may duplicate the number it is given; close must then deregister it.
        fd.pfd.markShared()
        self.fd = fd
    }

    /// Runs `body` with the fd, which stays valid (not closed) while it runs.
    public func control(_ body: (Int32) throws -> Void) throws {
        do {
            try fd.pfd.withFD { (raw) throws(Errno) in
                do { try body(raw) } catch let e as Errno { throw e } catch { throw Errno.EINVAL }
            }
        } catch {
            throw OpError(op: "raw-control", net: fd.net, source: nil, addr: fd.laddr, underlying: NetFD.wrap(error, "control"))
        }
    }

    /// Calls `body` with the fd until it returns true, waiting for the fd to become readable
    /// between calls: for reads the caller makes itself (return false on EAGAIN).
    public func read(_ body: (Int32) -> Bool) async throws {
        try await loop(.read, "raw-read", body)
    }

    /// Like ``read(_:)``, waiting for writability.
    public func write(_ body: (Int32) -> Bool) async throws {
        try await loop(.write, "raw-write", body)
    }

    private func loop(_ direction: PollDesc.Direction, _ op: String, _ body: (Int32) -> Bool) async throws {
        while true {
            let done: Bool
            do {
                done = try fd.pfd.withFD { (raw) throws(Errno) in body(raw) }
            } catch {
                throw OpError(op: op, net: fd.net, source: fd.laddr, addr: fd.raddr, underlying: NetFD.wrap(error, op))
            }
            if done { return }
            do {
                try await fd.pfd.waitReady(direction)
            } catch {
                throw OpError(op: op, net: fd.net, source: fd.laddr, addr: fd.raddr, underlying: NetFD.wrap(error, op))
            }
        }
    }
}
