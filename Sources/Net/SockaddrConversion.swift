// Between Net's addresses (TCPAddr, UDPAddr, IPAddr, UnixAddr) and Syscall's Sockaddr values:
// Go's sockaddr interface (ipsock_posix.go ipToSockaddr, tcpsock_posix.go sockaddrToTCP...).
import Syscall

/// An address a socket can be bound or connected to: Go's unexported `sockaddr` interface.
protocol SocketAddress: Addr {
    /// The family a socket for this address wants: AF_INET for IPv4 (and for no IP at all),
    /// AF_INET6 otherwise, AF_UNIX for unix addresses.
    var family: Int32 { get }
    /// Whether this is a wildcard (no IP, or an unspecified one), which listens on every address.
    var isWildcard: Bool { get }
    /// The kernel form for a socket of `family`; nil for an address that is absent.
    func sockaddr(_ family: Int32) throws -> (any Sockaddr)?
}

extension TCPAddr: SocketAddress {
    var family: Int32 { ipFamily(ip) }
    var isWildcard: Bool { ip.map { $0.bytes.isEmpty || $0.isUnspecified } ?? true }
    func sockaddr(_ family: Int32) throws -> (any Sockaddr)? {
        try ipToSockaddr(family, ip, port, zone)
    }
}

extension UDPAddr: SocketAddress {
    var family: Int32 { ipFamily(ip) }
    var isWildcard: Bool { ip.map { $0.bytes.isEmpty || $0.isUnspecified } ?? true }
    func sockaddr(_ family: Int32) throws -> (any Sockaddr)? {
        try ipToSockaddr(family, ip, port, zone)
    }
}

extension IPAddr: SocketAddress {
    var family: Int32 { ipFamily(ip) }
    var isWildcard: Bool { ip.map { $0.bytes.isEmpty || $0.isUnspecified } ?? true }
    func sockaddr(_ family: Int32) throws -> (any Sockaddr)? {
        try ipToSockaddr(family, ip, 0, zone)
    }
}

extension UnixAddr: SocketAddress {
    var family: Int32 { AF_UNIX }
    /// An empty name: no address (a dial then has none; a listen autobinds).
    var isWildcard: Bool { name.isEmpty }
    func sockaddr(_ family: Int32) throws -> (any Sockaddr)? {
        SockaddrUnix(name: name)
    }
}

/// Go's `family()` for IP addresses: AF_INET when the IP is absent, 4 bytes, or IPv4-mapped.
func ipFamily(_ ip: IP?) -> Int32 {
    guard let ip, ip.bytes.count > ipv4len else { return AF_INET }
    return ip.to4() != nil ? AF_INET : AF_INET6
}

/// Go's `ipToSockaddr`: an IP and port as the kernel address of a socket of `family`.
///
/// An absent IP is the family's wildcard; on AF_INET6, 0.0.0.0 also means `::` (so `":port"`
/// and `"0.0.0.0:port"` both listen dual-stack, as in Go).
func ipToSockaddr(_ family: Int32, _ ip: IP?, _ port: Int, _ zone: String) throws -> any Sockaddr {
    switch family {
    case AF_INET:
        let ip = (ip == nil || ip!.bytes.isEmpty) ? IP.ipv4zero : ip!
        guard let v4 = ip.to4() else { throw AddrError(err: "non-IPv4 address", addr: ip.description) }
        return SockaddrInet4(port: port, addr: v4.bytes)
    case AF_INET6:
        var ip = ip ?? IP.ipv6zero
        if ip.bytes.isEmpty || ip == IP.ipv4zero { ip = IP.ipv6zero }
        guard let v6 = ip.to16() else { throw AddrError(err: "non-IPv6 address", addr: ip.description) }
        return SockaddrInet6(port: port, zoneId: zoneIndex(zone), addr: v6.bytes)
    default:
        throw AddrError(err: "invalid address family", addr: ip?.description ?? "")
    }
}

/// A kernel address as Net's address for a socket of type `sotype`; nil for an unnamed or
/// absent address where Go returns nil.
func netAddr(_ sa: (any Sockaddr)?, sotype: Int32, proto: Int32 = 0) -> (any Addr)? {
    switch sa {
    case let a as SockaddrInet4: return netAddr(a, sotype: sotype)
    case let a as SockaddrInet6: return netAddr(a, sotype: sotype)
    case let a as SockaddrUnix: return netAddr(a, sotype: sotype)
    default: return nil
    }
}

/// The peer of an accepted connection as Net's address, read from the kernel's bytes by family:
/// no `Sockaddr` existential and no casts back from it, which cost more than the rest of an
/// accept's address work. EAFNOSUPPORT for a family Net has no address for, as Syscall's
/// accept4 says; EINVAL for an IP address cut short.
func acceptedPeerAddr(_ raw: RawSockaddrAny, sotype: Int32) throws(Errno) -> any Addr {
    switch raw.family {
    case AF_UNIX:
        // The 2-byte family and no name: an unnamed peer, the usual one (unix_getname).
        if raw.length <= 2 { return unnamedUnixAddr(sotype) }
        return netAddr(SockaddrUnix(raw), sotype: sotype)
    case AF_INET: return netAddr(try SockaddrInet4(raw), sotype: sotype)
    case AF_INET6: return netAddr(try SockaddrInet6(raw), sotype: sotype)
    default: throw .EAFNOSUPPORT
    }
}

private func netAddr(_ a: SockaddrInet4, sotype: Int32) -> any Addr {
    ipAddr(IP(a.addr), a.port, "", sotype: sotype)
}

private func netAddr(_ a: SockaddrInet6, sotype: Int32) -> any Addr {
    ipAddr(IP(a.addr), a.port, zoneName(a.zoneId), sotype: sotype)
}

private func netAddr(_ a: SockaddrUnix, sotype: Int32) -> any Addr {
    if a.name == "@" { return unnamedUnixAddr(sotype) }
    return UnixAddr(name: a.name, net: unixNetwork(sotype))
}

/// An unnamed unix peer ("@", as Go prints it): the usual remote address of an accepted unix
/// connection, made once per network so that accepting does not allocate a box for it.
private func unnamedUnixAddr(_ sotype: Int32) -> any Addr {
    switch sotype {
    case SOCK_DGRAM: return unnamedUnixgram
    case SOCK_SEQPACKET: return unnamedUnixpacket
    default: return unnamedUnix
    }
}

private let unnamedUnix: any Addr = UnixAddr(name: "@", net: "unix")
private let unnamedUnixgram: any Addr = UnixAddr(name: "@", net: "unixgram")
private let unnamedUnixpacket: any Addr = UnixAddr(name: "@", net: "unixpacket")

private func ipAddr(_ ip: IP, _ port: Int, _ zone: String, sotype: Int32) -> any Addr {
    switch sotype {
    case SOCK_STREAM: return TCPAddr(ip: ip, port: port, zone: zone)
    case SOCK_DGRAM: return UDPAddr(ip: ip, port: port, zone: zone)
    default: return IPAddr(ip: ip, zone: zone)
    }
}

/// Go's sotypeToNet for unix sockets.
func unixNetwork(_ sotype: Int32) -> String {
    switch sotype {
    case SOCK_DGRAM: return "unixgram"
    case SOCK_SEQPACKET: return "unixpacket"
    default: return "unix"
    }
}
