// From "host:port" to addresses: Go's resolveAddrList and internetAddrList (ipsock.go), and
// the exported ResolveTCPAddr family.

/// Resolved addresses, in the order to try them.
typealias AddrList = [any SocketAddress]

/// Go's `isIPv4` strategy: an address whose IP is IPv4 (4-byte or IPv4-mapped).
func isIPv4(_ a: any SocketAddress) -> Bool {
    switch a {
    case let a as TCPAddr: return a.ip?.to4() != nil
    case let a as UDPAddr: return a.ip?.to4() != nil
    case let a as IPAddr: return a.ip?.to4() != nil
    default: return false
    }
}

extension Array where Element == any SocketAddress {
    /// The first address that satisfies `strategy`, else the first: Go's addrList.first.
    func first(preferring strategy: (any SocketAddress) -> Bool) -> (any SocketAddress)? {
        first(where: strategy) ?? first
    }

    /// Splits into the first address's kind and the rest: Go's addrList.partition, for Happy
    /// Eyeballs (primaries are the family of the first address).
    func partition(_ strategy: (any SocketAddress) -> Bool) -> (primaries: AddrList, fallbacks: AddrList) {
        guard let head = first else { return ([], []) }
        let label = strategy(head)
        return (filter { strategy($0) == label }, filter { strategy($0) != label })
    }
}

/// Go's resolveAddrList: every address `address` names on `network`, for `op` ("dial" or
/// "listen"); a dial's local address `hint` filters them to its family.
func resolveAddrList(_ op: String, _ network: String, _ address: String, hint: (any Addr)?) async throws -> AddrList {
    let (afnet, _) = try parseNetwork(network, needsProto: true)
    if op == "dial" && address.isEmpty { throw NetErrorText.missingAddress }
    if unixSocketType(afnet) != nil {
        let addr = UnixAddr(name: address, net: afnet)
        if op == "dial", let hint, hint.network != addr.network {
            throw AddrError(err: "mismatched local address type", addr: hint.description)
        }
        return [addr]
    }
    let addrs = try await internetAddrList(afnet, address)
    guard op == "dial", let hint else { return addrs }
    let hintIP: IP?
    switch hint {
    case let h as TCPAddr: hintIP = h.ip
    case let h as UDPAddr: hintIP = h.ip
    case let h as IPAddr: hintIP = h.ip
    default: throw AddrError(err: "mismatched local address type", addr: hint.description)
    }
    let hintIsWildcard = (hint as? any SocketAddress)?.isWildcard ?? true
    var kept: AddrList = []
    for addr in addrs {
        if addr.network != hint.network {
            throw AddrError(err: "mismatched local address type", addr: hint.description)
        }
        if !hintIsWildcard && !addr.isWildcard && !sameFamily(ipOf(addr), hintIP) { continue }
        kept.append(addr)
    }
    if kept.isEmpty { throw AddrError(err: NetErrorText.noSuitableAddress, addr: hint.description) }
    return kept
}

private func ipOf(_ a: any SocketAddress) -> IP? {
    switch a {
    case let a as TCPAddr: return a.ip
    case let a as UDPAddr: return a.ip
    case let a as IPAddr: return a.ip
    default: return nil
    }
}

/// Go's IP.matchAddrFamily: both IPv4, or both IPv6.
private func sameFamily(_ a: IP?, _ b: IP?) -> Bool {
    let a4 = a?.to4() != nil, b4 = b?.to4() != nil
    if a4 && b4 { return true }
    return !a4 && !b4 && a?.to16() != nil && b?.to16() != nil
}

/// Go's internetAddrList: split host and port, look the port up, then the host (an IP literal
/// needs no lookup), and keep the family the network asks for.
func internetAddrList(_ net: String, _ addr: String) async throws -> AddrList {
    var host = ""
    var port = 0
    switch net {
    case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
        if !addr.isEmpty {
            let parts = try splitHostPort(addr)
            host = parts.host
            port = try await lookupPort(net, parts.port)
        }
    case "ip", "ip4", "ip6":
        host = addr
    default:
        throw UnknownNetworkError(net)
    }
    func make(_ ip: IP?, _ zone: String) -> any SocketAddress {
        switch net {
        case "tcp", "tcp4", "tcp6": return TCPAddr(ip: ip, port: port, zone: zone)
        case "udp", "udp4", "udp6": return UDPAddr(ip: ip, port: port, zone: zone)
        default: return IPAddr(ip: ip, zone: zone)
        }
    }
    if host.isEmpty { return [make(nil, "")] }
    var ips = try await lookupIPAddr(net, host)
    // Go issue 18806: a host that binds "::" but cannot connect back to it falls back to 0.0.0.0.
    if ips.count == 1, ips[0].ip == IP.ipv6unspecified { ips.append(IPAddr(ip: IP.ipv4zero)) }
    let wanted: [IPAddr]
    if net.hasSuffix("4") {
        wanted = ips.filter { $0.ip?.to4() != nil }
    } else if net.hasSuffix("6") {
        wanted = ips.filter { $0.ip?.bytes.count == ipv6len && $0.ip?.to4() == nil }
    } else {
        wanted = ips
    }
    if wanted.isEmpty { throw AddrError(err: NetErrorText.noSuitableAddress, addr: host) }
    return wanted.map { make($0.ip, $0.zone) }
}

/// Go's addrList.forResolve: IPv6 if the text asked for it (brackets, or colons in a bare IP).
private func forResolve(_ addrs: AddrList, _ network: String, _ address: String) -> (any SocketAddress)? {
    let want6: Bool
    switch network {
    case "ip": want6 = address.contains(":")
    case "tcp", "udp": want6 = address.contains("[")
    default: want6 = false
    }
    return addrs.first(preferring: { want6 ? !isIPv4($0) : isIPv4($0) })
}

/// Resolves "host:port" to a TCP address: Go's `net.ResolveTCPAddr`.
///
/// Prefers IPv4 unless the address is a bracketed IPv6 literal. A host name is looked up;
/// an empty host is the wildcard.
///
/// ```swift
/// let addr = try await Net.resolveTCPAddr("tcp", "localhost:http")   // 127.0.0.1:80
/// ```
public func resolveTCPAddr(_ network: String, _ address: String) async throws -> TCPAddr {
    let net = network.isEmpty ? "tcp" : network
    guard ["tcp", "tcp4", "tcp6"].contains(net) else { throw UnknownNetworkError(network) }
    return forResolve(try await internetAddrList(net, address), net, address) as! TCPAddr
}

/// Resolves "host:port" to a UDP address: Go's `net.ResolveUDPAddr`.
///
/// ```swift
/// let addr = try await Net.resolveUDPAddr("udp", "127.0.0.1:53")
/// ```
public func resolveUDPAddr(_ network: String, _ address: String) async throws -> UDPAddr {
    let net = network.isEmpty ? "udp" : network
    guard ["udp", "udp4", "udp6"].contains(net) else { throw UnknownNetworkError(network) }
    return forResolve(try await internetAddrList(net, address), net, address) as! UDPAddr
}

/// Resolves a host (no port; a zone is allowed) to an IP address: Go's `net.ResolveIPAddr`.
///
/// ```swift
/// let addr = try await Net.resolveIPAddr("ip", "::1")
/// ```
public func resolveIPAddr(_ network: String, _ address: String) async throws -> IPAddr {
    let net = network.isEmpty ? "ip" : network
    let (afnet, _) = try parseNetwork(net, needsProto: false)
    guard ["ip", "ip4", "ip6"].contains(afnet) else { throw UnknownNetworkError(network) }
    return forResolve(try await internetAddrList(afnet, address), net, address) as! IPAddr
}

/// A unix address for a network and name; no file-system access: Go's `net.ResolveUnixAddr`.
///
/// ```swift
/// let addr = try Net.resolveUnixAddr("unixgram", "/run/app.sock")
/// ```
public func resolveUnixAddr(_ network: String, _ address: String) throws -> UnixAddr {
    guard unixSocketType(network) != nil else { throw UnknownNetworkError(network) }
    return UnixAddr(name: address, net: network)
}
