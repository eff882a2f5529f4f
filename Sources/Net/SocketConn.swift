// Go's unexported `conn`, which TCPConn, UnixConn, UDPConn and IPConn embed: the methods every
// socket connection has. Here it is a base class the four final classes inherit from, which is
// how Swift spells Go's embedding; users cannot subclass it.
import NetPoll
import Syscall

/// The methods every socket connection has, shared by ``TCPConn``, ``UnixConn``, ``UDPConn``
/// and ``IPConn`` (Go's embedded `conn`).
///
/// Every error is an ``OpError`` in Go's format, such as
/// `read tcp 127.0.0.1:50000->127.0.0.1:8080: i/o timeout`.
public class SocketConn: Conn, @unchecked Sendable {
    // @unchecked: the only stored property is a Sendable final class; subclasses add only lets.
    let fd: NetFD

    init(_ fd: NetFD) { self.fd = fd }

    /// The poller that owns this connection's fd, as a task executor. A task that prefers it
    /// runs on the poller's thread, and its reads resume there with no thread hop:
    /// `Task(executorPreference: conn.executor) { ... }`. A handler that burns CPU holds up the
    /// poller's other connections, as on any event loop. Should the fd later move to another
    /// poller (to share out or gather up the CPU), the task's reads resume on the new poller's
    /// thread, still with no hop.
    public final var executor: any TaskExecutor { fd.pfd.poller }

    func opError(_ op: String, _ error: any Error) -> OpError {
        if let e = error as? OpError { return e }
        return OpError(op: op, net: fd.net, source: fd.laddr, addr: fd.raddr, underlying: error)
    }

    /// Reads at least one byte, or 0 at end of stream: Go's `Conn.Read`.
    ///
    /// ```swift
    /// let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
    /// let n = try await conn.read(into: buffer)
    /// ```
    public final func read(into buffer: UnsafeMutableRawBufferPointer) async throws(OpError) -> Int {
        do { return try await fd.read(into: buffer) } catch { throw opError("read", error) }
    }

    /// Reads into an array, up to its count; returns 0 at end of stream. No copy: the array's
    /// storage is used directly.
    ///
    /// ```swift
    /// var buf = [UInt8](repeating: 0, count: 4096)
    /// let n = try await conn.read(&buf)
    /// ```
    public final func read(_ buffer: inout [UInt8]) async throws(OpError) -> Int {
        do { return try await fd.read(&buffer) } catch { throw opError("read", error) }
    }

    /// Writes all of `bytes`: Go's `Conn.Write`. A closed peer is `write: broken pipe`, never
    /// SIGPIPE.
    public final func write(_ bytes: [UInt8]) async throws(OpError) {
        do { try await fd.write(bytes) } catch { throw opError("write", error) }
    }

    /// Writes all of `buffer`.
    public final func write(_ buffer: UnsafeRawBufferPointer) async throws(OpError) {
        do { try await fd.write(buffer) } catch { throw opError("write", error) }
    }

    /// Closes the connection: Go's `Conn.Close`. A blocked read or write fails with
    /// ``ErrClosed``; a second close throws `close ...: use of closed network connection`.
    public final func close() throws(OpError) {
        do { try fd.close() } catch { throw opError("close", error) }
    }

    public final var localAddr: (any Addr)? { fd.laddr }
    public final var remoteAddr: (any Addr)? { fd.raddr }

    /// Sets the read and write deadlines: Go's `SetDeadline`. nil clears them.
    public final func setDeadline(_ t: ContinuousClock.Instant?) throws(OpError) {
        try setDeadline(t, .both)
    }

    /// Sets the read deadline: Go's `SetReadDeadline`.
    public final func setReadDeadline(_ t: ContinuousClock.Instant?) throws(OpError) {
        try setDeadline(t, .read)
    }

    /// Sets the write deadline: Go's `SetWriteDeadline`.
    public final func setWriteDeadline(_ t: ContinuousClock.Instant?) throws(OpError) {
        try setDeadline(t, .write)
    }

    private func setDeadline(_ t: ContinuousClock.Instant?, _ d: PollDesc.Directions) throws(OpError) {
        do { try fd.setDeadline(t, d) } catch { throw setError(error) }
    }

    /// Go's "set" errors for deadlines and buffers name only the local address.
    func setError(_ error: any Error) -> OpError {
        OpError(op: "set", net: fd.net, source: nil, addr: fd.laddr, underlying: error)
    }

    /// Sets the kernel's receive buffer size (SO_RCVBUF; Linux doubles it): Go's `SetReadBuffer`.
    public final func setReadBuffer(_ bytes: Int) throws(OpError) {
        do { try fd.setsockoptInt(SOL_SOCKET, SO_RCVBUF, bytes) } catch { throw setError(error) }
    }

    /// Sets the kernel's send buffer size (SO_SNDBUF): Go's `SetWriteBuffer`.
    public final func setWriteBuffer(_ bytes: Int) throws(OpError) {
        do { try fd.setsockoptInt(SOL_SOCKET, SO_SNDBUF, bytes) } catch { throw setError(error) }
    }

    /// A close-on-exec duplicate of the socket's fd, which the caller owns and must close: Go's
    /// `File()`. Closing the conn does not close the duplicate. The duplicate shares the open
    /// file description, so it is non-blocking; set it blocking yourself if a child needs that.
    ///
    /// ```swift
    /// let fd = try conn.file()   // hand it to a child process, or send it with unixRights
    /// ```
    public final func file() throws(OpError) -> Int32 {
        do { return try fd.dup() } catch { throw opError("file", error) }
    }

    /// Raw access to the socket for options SwiftNet does not wrap: Go's `SyscallConn`.
    public final func syscallConn() -> RawConn { RawConn(fd) }

    /// Go's writeTo for UDP and raw IP: refused on a connected socket, and without an address;
    /// the address must suit the socket's family.
    func sendDatagram(_ bytes: [UInt8], to addr: (any SocketAddress)?) async throws(OpError) -> Int {
        if fd.isConnected { throw writeError(addr, ErrWriteToConnected()) }
        guard let addr else { throw writeError(nil, NetErrorText.missingAddress) }
        do {
            guard let sa = try addr.sockaddr(fd.family) else { throw NetErrorText.missingAddress }
            return try await fd.writeTo(bytes, sa)
        } catch {
            throw writeError(addr, error)
        }
    }

    /// Go's OpError for a write to an explicit address: the destination, not the peer.
    func writeError(_ addr: (any Addr)?, _ error: any Error) -> OpError {
        if let e = error as? OpError { return e }
        return OpError(op: "write", net: fd.net, source: fd.laddr, addr: addr, underlying: error)
    }
}
