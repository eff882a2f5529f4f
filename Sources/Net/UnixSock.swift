// Unix domain connections: Go's unixsock.go and unixsock_posix.go (UnixConn).
import Syscall

/// A unix domain socket connection (stream, datagram or seqpacket): Go's `net.UnixConn`.
///
/// Besides ``SocketConn``'s methods it carries control messages (``readMsgUnix(_:_:)`` and
/// ``writeMsgUnix(_:_:_:)``, for passing open files with `Syscall.unixRights`), datagrams
/// (``readFromUnix(_:)``, ``writeToUnix(_:_:)``), and half-close.
///
/// ```swift
/// let conn = try await Net.dial("unix", "/run/app.sock") as! UnixConn
/// let file = try Syscall.open("/etc/hostname", O_RDONLY | O_CLOEXEC, 0)
/// _ = try await conn.writeMsgUnix([0], Syscall.unixRights(file), nil)
/// ```
public final class UnixConn: SocketConn, PacketConn, @unchecked Sendable {
    /// Shuts down the reading side: Go's `CloseRead`.
    public func closeRead() throws(OpError) {
        do { try fd.shutdown(Syscall.SHUT_RD) } catch { throw opError("close", error) }
    }

    /// Shuts down the writing side; the peer reads end of stream: Go's `CloseWrite`.
    public func closeWrite() throws(OpError) {
        do { try fd.shutdown(Syscall.SHUT_WR) } catch { throw opError("close", error) }
    }

    /// Reads one datagram (or what a stream has) and its sender: Go's `ReadFromUnix`. The
    /// sender is nil when it is unnamed.
    public func readFromUnix(_ buffer: inout [UInt8]) async throws(OpError) -> (n: Int, addr: UnixAddr?) {
        do {
            let (n, from) = try await fd.readFrom(&buffer)
            return (n, netAddr(from, sotype: fd.sotype) as? UnixAddr)
        } catch {
            throw opError("read", error)
        }
    }

    /// ``readFromUnix(_:)`` as Go's `PacketConn.ReadFrom`.
    public func readFrom(_ buffer: inout [UInt8]) async throws(OpError) -> (n: Int, addr: (any Addr)?) {
        let (n, addr) = try await readFromUnix(&buffer)
        return (n, addr)
    }

    /// Sends one datagram to `addr`: Go's `WriteToUnix`. Fails on a connected socket
    /// (``ErrWriteToConnected``), for a missing address, and with `EAFNOSUPPORT` when the
    /// address's network is not the socket's.
    @discardableResult
    public func writeToUnix(_ bytes: [UInt8], _ addr: UnixAddr?) async throws(OpError) -> Int {
        let sa = try destination(addr)
        do {
            return try await fd.writeTo(bytes, sa)
        } catch {
            throw writeError(addr, error)
        }
    }

    /// ``writeToUnix(_:_:)`` as Go's `PacketConn.WriteTo`; an address that is not a
    /// ``UnixAddr`` is `EINVAL`.
    @discardableResult
    public func writeTo(_ bytes: [UInt8], _ addr: any Addr) async throws(OpError) -> Int {
        guard let unix = addr as? UnixAddr else { throw writeError(addr, Errno.EINVAL) }
        return try await writeToUnix(bytes, unix)
    }

    /// Reads data and control messages: Go's `ReadMsgUnix`. Received fds are close-on-exec
    /// (MSG_CMSG_CLOEXEC). If `flags` has `MSG_CTRUNC`, some fds did not fit `oob`: the kernel
    /// closed those, and the ones that fit are yours to close.
    ///
    /// ```swift
    /// var data = [UInt8](repeating: 0, count: 1)
    /// var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
    /// let r = try await conn.readMsgUnix(&data, &oob)
    /// let fds = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn])).flatMap(Syscall.parseUnixRights)
    /// ```
    public func readMsgUnix(
        _ buffer: inout [UInt8], _ oob: inout [UInt8]
    ) async throws(OpError) -> (n: Int, oobn: Int, flags: Int32, addr: UnixAddr?) {
        do {
            return msgResult(try await fd.readMsg(&buffer, &oob, flags: 0))
        } catch {
            throw opError("read", error)
        }
    }

    /// ``readMsgUnix(_:_:)`` into memory you own, as ``SocketConn/read(into:)`` is to `read`:
    /// nothing is allocated, so a server that receives descriptors all day (with
    /// `Syscall.forEachSocketControlMessage` to parse them) allocates nothing per message.
    /// Both buffers must stay valid until it returns.
    ///
    /// ```swift
    /// let oob = UnsafeMutableRawBufferPointer.allocate(byteCount: Syscall.cmsgSpace(4 * 8), alignment: 8)
    /// let r = try await conn.readMsgUnix(into: data, oob: oob)
    /// try Syscall.forEachSocketControlMessage(UnsafeRawBufferPointer(rebasing: oob[..<r.oobn])) { (header, data) throws(Errno) in
    ///     try Syscall.forEachUnixRight(header, data) { fd in try? Syscall.close(fd) }
    /// }
    /// ```
    public func readMsgUnix(
        into buffer: UnsafeMutableRawBufferPointer, oob: UnsafeMutableRawBufferPointer
    ) async throws(OpError) -> (n: Int, oobn: Int, flags: Int32, addr: UnixAddr?) {
        do {
            return msgResult(try await fd.readMsg(into: buffer, oob: oob, flags: 0))
        } catch {
            throw opError("read", error)
        }
    }

    private func msgResult(_ r: RecvmsgResult) -> (n: Int, oobn: Int, flags: Int32, addr: UnixAddr?) {
        (r.n, r.oobn, r.recvflags, r.from.flatMap { netAddr($0, sotype: fd.sotype) as? UnixAddr })
    }

    /// Writes data and control messages, to `addr` on an unconnected datagram socket or nil on
    /// a connected one: Go's `WriteMsgUnix`. With no data on a stream socket, one zero byte
    /// carries the control data and `n` is 0, as in Go.
    @discardableResult
    public func writeMsgUnix(_ bytes: [UInt8], _ oob: [UInt8], _ addr: UnixAddr?) async throws(OpError) -> (n: Int, oobn: Int) {
        var sa: (any Sockaddr)?
        if let addr {
            sa = try destination(addr)
        }
        do {
            let n = try await fd.writeMsg(bytes, oob, sa)
            return (n, oob.count)
        } catch {
            throw writeError(addr, error)
        }
    }

    /// Go's checks before a WriteTo: not connected, an address given, the same network.
    private func destination(_ addr: UnixAddr?) throws(OpError) -> any Sockaddr {
        if fd.isConnected { throw writeError(addr, ErrWriteToConnected()) }
        guard let addr else { throw writeError(nil, NetErrorText.missingAddress) }
        if addr.net != unixNetwork(fd.sotype) { throw writeError(addr, Errno.EAFNOSUPPORT) }
        return SockaddrUnix(name: addr.name)
    }
}
