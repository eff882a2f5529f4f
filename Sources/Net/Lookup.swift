// Host name lookup: Go's net.LookupHost, net.LookupIP and the lookupIPAddr that dialing and
// listening use (src/net/lookup.go), through the C library's getaddrinfo(3) as Go's cgo
// resolver does (src/net/cgo_unix.go), on a thread of its own (Resolver+Thread.swift).
//
// getaddrinfo follows /etc/nsswitch.conf, so /etc/hosts, DNS, mDNS and systemd-resolved all
// answer as they do for every other program on the machine. An IP literal never reaches it.
import Glibc
import struct Syscall.Errno

/// Looks up a host name and returns its addresses as text: Go's `net.LookupHost`.
///
/// An IP literal, with or without a zone (`"fe80::1%eth0"`), is returned unchanged and nothing
/// is looked up. Names go to getaddrinfo(3), so /etc/hosts and DNS answer as for any program;
/// IPv6 link-local results carry their zone (`fe80::1%eth0`). Duplicates are removed and the
/// resolver's order is kept.
///
/// - Throws: ``DNSError``: `lookup : no such host` for `""`, `lookup NAME: no such host` for a
///   name nobody knows, `isTemporary` when the name servers could not be reached.
///   `CancellationError` if the task is cancelled while the lookup runs.
///
/// ```swift
/// let addrs = try await Net.lookupHost("localhost")   // ["127.0.0.1", "::1"]
/// let same = try await Net.lookupHost("::1%lo")       // ["::1%lo"], no lookup
/// ```
public func lookupHost(_ host: String) async throws -> [String] {
    if host.isEmpty { throw noSuchHost("") }
    if parseIPZone(host).ip != nil { return [host] }
    return try await lookupIPAddr("ip", host).map(\.description)
}

/// Looks up a host name and returns its IPv4 and IPv6 addresses: Go's `net.LookupIP`.
///
/// An IP literal is returned as parsed, without a lookup (IPv4 as 16 bytes, any zone dropped).
/// Addresses from getaddrinfo(3) are 4 bytes for IPv4 and 16 for IPv6, so compare with `==`
/// (Go's `IP.Equal`), never by `bytes`. Errors as ``lookupHost(_:)``.
///
/// ```swift
/// let ips = try await Net.lookupIP("localhost")
/// print(ips.contains(IP.v4(127, 0, 0, 1)))   // true
/// ```
public func lookupIP(_ host: String) async throws -> [IP] {
    try await lookupIPAddr("ip", host).compactMap(\.ip)
}

/// Looks up a host for dialing or listening and returns its addresses with zones: Go's
/// unexported `Resolver.lookupIPAddr`.
///
/// `""` is `lookup : no such host`; a literal (with zone) comes back as one address with no
/// system call. Otherwise getaddrinfo(3) runs with AF_UNSPEC, SOCK_STREAM and no flags (no
/// AI_ADDRCONFIG: a host with only loopback still resolves `localhost` to `::1`), whatever
/// `network` is: as Go's resolver answers from /etc/hosts, it returns both families and the
/// caller keeps the one `tcp4` or `tcp6` asks for.
func lookupIPAddr(_ network: String, _ host: String) async throws -> [IPAddr] {
    if host.isEmpty { throw noSuchHost("") }
    let (ip, zone) = parseIPZone(host)
    if let ip { return [IPAddr(ip: ip, zone: zone)] }
    // A NUL would cut the C string short and look up another name; Go's resolver finds no
    // such domain name (isDomainName).
    if host.utf8.contains(0) { throw noSuchHost(host) }
    return try await runOnDedicatedThread { getaddrinfoIPAddrs(host) }.get()
}

/// Go's `DNSError` for a name nobody knows (errNoSuchHost).
private func noSuchHost(_ name: String) -> DNSError {
    DNSError(err: "no such host", name: name, isNotFound: true)
}

/// glibc's EAI_NODATA, a GNU extension Swift's Glibc module does not import (netdb.h, __USE_GNU).
private let eaiNoData: Int32 = -5

/// Calls getaddrinfo(3) and frees its list: the blocking part of a lookup, run on its own
/// thread. IPv4 addresses come back as 4 bytes, IPv6 as 16 with the scope id as a zone.
private func getaddrinfoIPAddrs(_ host: String) -> Result<[IPAddr], DNSError> {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host, nil, &hints, &list)
    let savedErrno = errno
    guard rc == 0 else { return .failure(addrinfoError(rc, savedErrno, host)) }
    defer { if let list { freeaddrinfo(list) } }

    var addrs: [IPAddr] = []
    var seen = Set<IPAddr>()
    var next = list
    while let ai = next {
        next = ai.pointee.ai_next
        // Only SOCK_STREAM was asked for, but check anyhow, as Go does.
        guard ai.pointee.ai_socktype == Int32(SOCK_STREAM.rawValue), let sa = ai.pointee.ai_addr else { continue }
        let length = Int(ai.pointee.ai_addrlen)
        let addr: IPAddr
        switch ai.pointee.ai_family {
        case AF_INET where length >= MemoryLayout<sockaddr_in>.size:
            let sin = UnsafeRawPointer(sa).loadUnaligned(as: sockaddr_in.self)
            addr = IPAddr(ip: IP(withUnsafeBytes(of: sin.sin_addr) { Array($0) }))
        case AF_INET6 where length >= MemoryLayout<sockaddr_in6>.size:
            let sin6 = UnsafeRawPointer(sa).loadUnaligned(as: sockaddr_in6.self)
            addr = IPAddr(ip: IP(withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }),
                          zone: zoneName(sin6.sin6_scope_id))
        default:
            continue
        }
        if seen.insert(addr).inserted { addrs.append(addr) }
    }
    return .success(addrs)
}

/// A getaddrinfo failure as Go's cgo resolver reports it (src/net/cgo_unix.go,
/// cgoLookupIPCNAME): `no such host` for an unknown name, the system error's Go text for
/// EAI_SYSTEM, otherwise gai_strerror(3)'s text, temporary for EAI_AGAIN.
func addrinfoError(_ code: Int32, _ savedErrno: Int32, _ host: String) -> DNSError {
    switch code {
    case EAI_NONAME, eaiNoData:
        // Go 1.19's cgo resolver prints gai_strerror for EAI_NODATA ("No address associated
        // with hostname"); its pure-Go resolver, and later releases' cgo one, say no such host.
        return noSuchHost(host)
    case EAI_SYSTEM:
        // Go: errno can be 0 here on Linux; report EMFILE (golang.org/issue/6232).
        let err = Errno(rawValue: savedErrno == 0 ? EMFILE : savedErrno)
        return DNSError(err: err.description, name: host)
    default:
        return DNSError(err: String(cString: gai_strerror(code)), name: host, isTemporary: code == EAI_AGAIN)
    }
}
