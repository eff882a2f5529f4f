// UDP: Go's udpsock.go and udpsock_posix.go.
import Syscall

/// A UDP socket, connected (from dial) or not (from listenPacket): Go's `net.UDPConn`.
///
/// UDP sockets have SO_BROADCAST on, as in Go. A sender's IP is 4 bytes on an IPv4 socket and
/// 16 on an IPv6 one (an IPv4 peer of a dual-stack socket prints as a dotted quad).
///
/// ```swift
/// let pc = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
/// var buf = [UInt8](repeating: 0, count: 65536)
/// let (n, from) = try await pc.readFromUDP(&buf)
/// try await pc.writeToUDP(Array(buf[..<n]), from)
/// ```
public final class UDPConn: SocketConn, PacketConn, @unchecked Sendable {
    /// Reads one datagram (the excess of a longer one is dropped) and its sender: Go's
    /// `ReadFromUDP`.
    public func readFromUDP(_ buffer: inout [UInt8]) async throws(OpError) -> (n: Int, addr: UDPAddr?) {
        do {
            let (n, from) = try await fd.readFrom(&buffer)
            return (n, netAddr(from, sotype: fd.sotype) as? UDPAddr)
        } catch {
            throw opError("read", error)
        }
    }

    /// ``readFromUDP(_:)`` as Go's `PacketConn.ReadFrom`.
    public func readFrom(_ buffer: inout [UInt8]) async throws(OpError) -> (n: Int, addr: (any Addr)?) {
        let (n, addr) = try await readFromUDP(&buffer)
        return (n, addr)
    }

    /// Sends one datagram: Go's `WriteToUDP`. Fails on a connected socket
    /// (``ErrWriteToConnected``), for a missing address, and for an address of the wrong family
    /// (`address ::1: non-IPv4 address` on an IPv4 socket).
    @discardableResult
    public func writeToUDP(_ bytes: [UInt8], _ addr: UDPAddr?) async throws(OpError) -> Int {
        try await sendDatagram(bytes, to: addr)
    }

    /// ``writeToUDP(_:_:)`` as Go's `PacketConn.WriteTo`; an address that is not a
    /// ``UDPAddr`` is `EINVAL`.
    @discardableResult
    public func writeTo(_ bytes: [UInt8], _ addr: any Addr) async throws(OpError) -> Int {
        guard let udp = addr as? UDPAddr else { throw writeError(addr, Errno.EINVAL) }
        return try await writeToUDP(bytes, udp)
    }

    /// Reads a datagram with its control messages: Go's `ReadMsgUDP`. `flags` has `MSG_TRUNC`
    /// when the datagram was longer than `buffer`.
    public func readMsgUDP(
        _ buffer: inout [UInt8], _ oob: inout [UInt8]
    ) async throws(OpError) -> (n: Int, oobn: Int, flags: Int32, addr: UDPAddr?) {
        do {
            let r = try await fd.readMsg(&buffer, &oob, flags: 0)
            return (r.n, r.oobn, r.recvflags, netAddr(r.from, sotype: fd.sotype) as? UDPAddr)
        } catch {
            throw opError("read", error)
        }
    }

    /// Sends a datagram with control messages, to `addr` on an unconnected socket or nil on a
    /// connected one: Go's `WriteMsgUDP`.
    @discardableResult
    public func writeMsgUDP(_ bytes: [UInt8], _ oob: [UInt8], _ addr: UDPAddr?) async throws(OpError) -> (n: Int, oobn: Int) {
        if fd.isConnected && addr != nil { throw writeError(addr, ErrWriteToConnected()) }
        if !fd.isConnected && addr == nil { throw writeError(nil, NetErrorText.missingAddress) }
        do {
            let sa = try addr?.sockaddr(fd.family)
            return (try await fd.writeMsg(bytes, oob, sa), oob.count)
        } catch {
            throw writeError(addr, error)
        }
    }
}
