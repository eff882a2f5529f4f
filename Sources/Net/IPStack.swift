// Which address family a socket gets: Go's ipsock_posix.go (probe, favoriteAddrFamily).
import Syscall

/// What this machine's IP stack can do, probed once as Go does: open an AF_INET socket; bind an
/// IPv6-only socket to ::1; bind a dual-stack AF_INET6 socket to 127.0.0.1 (IPv4-mapped).
struct IPStackCapabilities: Sendable {
    var ipv4Enabled = false
    var ipv6Enabled = false
    var ipv4MappedIPv6Enabled = false

    static let current: IPStackCapabilities = probe()

    private static func probe() -> IPStackCapabilities {
        var caps = IPStackCapabilities()
        if let s = try? Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, Syscall.IPPROTO_TCP) {
            try? Syscall.close(s)
            caps.ipv4Enabled = true
        }
        let loopback6 = SockaddrInet6(port: 0, addr: IP.ipv6loopback.bytes)
        let mapped = SockaddrInet6(port: 0, addr: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1])
        caps.ipv6Enabled = canBind(loopback6, v6only: 1)
        caps.ipv4MappedIPv6Enabled = canBind(mapped, v6only: 0)
        return caps
    }

    private static func canBind(_ sa: SockaddrInet6, v6only: Int) -> Bool {
        guard let s = try? Syscall.socket(Syscall.AF_INET6, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, Syscall.IPPROTO_TCP) else {
            return false
        }
        defer { try? Syscall.close(s) }
        try? Syscall.setsockoptInt(s, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY, v6only)
        return (try? Syscall.bind(s, sa)) != nil
    }
}

/// Go's favoriteAddrFamily: tcp4/udp4 get AF_INET; tcp6/udp6 an IPv6-only AF_INET6; a listen on
/// a wildcard gets a dual-stack AF_INET6 where IPv4-mapped addresses work (so ":8080" takes
/// both); otherwise AF_INET when both ends are IPv4, else dual-stack AF_INET6.
func favoriteAddrFamily(
    _ network: String, _ laddr: (any SocketAddress)?, _ raddr: (any SocketAddress)?, mode: String
) -> (family: Int32, ipv6only: Bool) {
    if network.hasSuffix("4") { return (Syscall.AF_INET, false) }
    if network.hasSuffix("6") { return (Syscall.AF_INET6, true) }
    if mode == "listen" && (laddr == nil || laddr!.isWildcard) {
        let caps = IPStackCapabilities.current
        if caps.ipv4MappedIPv6Enabled || !caps.ipv4Enabled { return (Syscall.AF_INET6, false) }
        return (laddr?.family ?? Syscall.AF_INET, false)
    }
    if (laddr == nil || laddr!.family == Syscall.AF_INET) && (raddr == nil || raddr!.family == Syscall.AF_INET) {
        return (Syscall.AF_INET, false)
    }
    return (Syscall.AF_INET6, false)
}

/// Go's internetSocket: an IP socket of the favourite family.
func internetSocket(
    _ net: String, laddr: (any SocketAddress)?, raddr: (any SocketAddress)?, sotype: Int32, proto: Int32,
    mode: String, deadline: ContinuousClock.Instant? = nil, control: ControlHook?
) async throws -> NetFD {
    let (family, ipv6only) = favoriteAddrFamily(net, laddr, raddr, mode: mode)
    return try await socket(net: net, family: family, sotype: sotype, proto: proto, ipv6only: ipv6only,
                            laddr: laddr, raddr: raddr, deadline: deadline, control: control)
}

/// Go's unixSocket: a unix socket of the network's type. A dial needs a remote address,
/// except that an unconnected unixgram socket may be bound to a local one only.
func unixSocket(
    _ net: String, laddr: UnixAddr?, raddr: UnixAddr?, mode: String,
    deadline: ContinuousClock.Instant? = nil, control: ControlHook?
) async throws -> NetFD {
    guard let sotype = unixSocketType(net) else { throw UnknownNetworkError(net) }
    var laddr = laddr, raddr = raddr
    if mode == "dial" {
        if laddr?.isWildcard == true { laddr = nil }
        if raddr?.isWildcard == true { raddr = nil }
        if raddr == nil && (sotype != Syscall.SOCK_DGRAM || laddr == nil) { throw NetErrorText.missingAddress }
    }
    return try await socket(net: net, family: Syscall.AF_UNIX, sotype: sotype, proto: 0, ipv6only: false,
                            laddr: laddr, raddr: raddr, deadline: deadline, control: control)
}
