// Unix domain listeners: Go's UnixListener, with the care for socket files that DESIGN.md
// (invariant 6) and UDS-SECURITY.md ask for.
import Synchronization
import Syscall

/// A unix domain stream or seqpacket listener: Go's `net.UnixListener`.
///
/// Closing it removes its socket file, once, and only if the path still holds the socket it
/// created (a new server may have taken the name since); never for an abstract name or a
/// listener adopted from an fd.
///
/// ```swift
/// let ln = try await Net.listen("unix", "/tmp/echo.sock") as! UnixListener
/// defer { try? ln.close() }   // removes /tmp/echo.sock
/// let conn = try await ln.acceptUnix()
/// ```
public final class UnixListener: Listener, @unchecked Sendable {
    let fd: NetFD
    /// The path (or `@name`) it listens on.
    let path: String
    /// The socket file's identity right after bind; nil if unknown or abstract.
    private let boundFile: Stat?
    private let unlink: Mutex<(enabled: Bool, done: Bool)>

    init(_ fd: NetFD, path: String, unlinkOnClose: Bool) {
        self.fd = fd
        self.path = path
        let isFile = !path.isEmpty && !path.hasPrefix("@")
        boundFile = isFile ? (try? Syscall.lstat(path)) : nil
        unlink = Mutex((unlinkOnClose, false))
    }

    public var addr: any Addr { fd.laddr ?? UnixAddr(name: path, net: fd.net) }

    /// The poller that owns the listening fd, as a task executor.
    public var executor: any TaskExecutor { fd.pfd.poller }

    private func opError(_ op: String, _ error: any Error) -> OpError {
        OpError(op: op, net: fd.net, source: nil, addr: fd.laddr, underlying: error)
    }

    /// Waits for the next connection: Go's `AcceptUnix`. The conn's remote address is `@` for
    /// an unnamed client, as on Linux in Go.
    public func acceptUnix() async throws(OpError) -> UnixConn {
        do {
            return UnixConn(try await fd.acceptFD())
        } catch {
            throw opError("accept", error)
        }
    }

    public func accept() async throws(OpError) -> any Conn { try await acceptUnix() }

    /// Whether close removes the socket file: Go's `SetUnlinkOnClose`. On by default for
    /// listeners made by listen, off for those adopted with `Net.fileListener`.
    public func setUnlinkOnClose(_ unlinkOnClose: Bool) {
        unlink.withLock { $0.enabled = unlinkOnClose }
    }

    /// Stops listening and removes the socket file (see the type's documentation): Go's
    /// `Close`. Blocked accepts fail with ``ErrClosed``.
    public func close() throws(OpError) {
        let shouldUnlink = unlink.withLock { state -> Bool in
            defer { state.done = true }
            return state.enabled && !state.done
        }
        if shouldUnlink { unlinkIfStillOurs() }
        do { try fd.close() } catch { throw opError("close", error) }
    }

    /// Removes the socket file only if it is still the socket this listener bound: same
    /// device and inode. Another process may have replaced it since.
    private func unlinkIfStillOurs() {
        guard let boundFile, let now = try? Syscall.lstat(path),
              now.isSocket, now.dev == boundFile.dev, now.ino == boundFile.ino else { return }
        try? Syscall.unlink(path)
    }

    /// Sets the deadline for accept: Go's `SetDeadline`. nil clears it.
    public func setDeadline(_ t: ContinuousClock.Instant?) throws(OpError) {
        do { try fd.setDeadline(t, .read) } catch { throw opError("set", error) }
    }

    /// A close-on-exec duplicate of the listening fd for the caller to own: Go's `File()`.
    /// Hand it to a new process for a restart without closing the listening socket.
    public func file() throws(OpError) -> Int32 {
        do { return try fd.dup() } catch { throw opError("file", error) }
    }

    /// Raw access to the listening socket: Go's `SyscallConn`.
    public func syscallConn() -> RawConn { RawConn(fd) }
}
