// Raw IP: Go's iprawsock.go and iprawsock_posix.go. Needs CAP_NET_RAW (root, usually).
import Syscall

/// A raw IP socket for one protocol ("ip4:icmp", "ip6:58"...): Go's `net.IPConn`.
///
/// Reading from an IPv4 raw socket returns the whole packet with read, but ``readFromIP(_:)``
/// strips the IPv4 header, as Go does.
///
/// ```swift
/// let c = try await Net.listenPacket("ip4:icmp", "0.0.0.0") as! IPConn
/// ```
public final class IPConn: SocketConn, PacketConn, @unchecked Sendable {
    /// Reads one packet and its sender: Go's `ReadFromIP`.
    public func readFromIP(_ buffer: inout [UInt8]) async throws(OpError) -> (n: Int, addr: IPAddr?) {
        do {
            var (n, from) = try await fd.readFrom(&buffer)
            if fd.family == Syscall.AF_INET { n = stripIPv4Header(n, &buffer) }
            return (n, netAddr(from, sotype: fd.sotype) as? IPAddr)
        } catch {
            throw opError("read", error)
        }
    }

    /// ``readFromIP(_:)`` as Go's `PacketConn.ReadFrom`.
    public func readFrom(_ buffer: inout [UInt8]) async throws(OpError) -> (n: Int, addr: (any Addr)?) {
        let (n, addr) = try await readFromIP(&buffer)
        return (n, addr)
    }

    /// Sends one packet to `addr`: Go's `WriteToIP`.
    @discardableResult
    public func writeToIP(_ bytes: [UInt8], _ addr: IPAddr?) async throws(OpError) -> Int {
        try await sendDatagram(bytes, to: addr)
    }

    /// ``writeToIP(_:_:)`` as Go's `PacketConn.WriteTo`; an address that is not an ``IPAddr``
    /// is `EINVAL`.
    @discardableResult
    public func writeTo(_ bytes: [UInt8], _ addr: any Addr) async throws(OpError) -> Int {
        guard let ip = addr as? IPAddr else { throw writeError(addr, Errno.EINVAL) }
        return try await writeToIP(bytes, ip)
    }
}

/// Go's stripIPv4Header: drops a well-formed IPv4 header from the front of a raw packet.
private func stripIPv4Header(_ n: Int, _ b: inout [UInt8]) -> Int {
    guard n >= 20, b[0] >> 4 == 4 else { return n }
    let headerLength = Int(b[0] & 0x0f) << 2
    guard headerLength >= 20, headerLength <= n else { return n }
    b.replaceSubrange(0..<(n - headerLength), with: b[headerLength..<n])
    return n - headerLength
}
