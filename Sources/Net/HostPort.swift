// Go's net.SplitHostPort and net.JoinHostPort: "host:port" text, with brackets for IPv6.

/// Splits `host:port`, `host%zone:port`, `[host]:port` or `[host%zone]:port` into host and
/// port: Go's `net.SplitHostPort`.
///
/// The port is whatever follows the last colon; a host with a colon must be in brackets.
/// Neither part is checked: `":80"` gives host `""`, `"example.com:"` gives port `""`, and
/// `"host: 80"` gives port `" 80"`, as in Go.
///
/// ```swift
/// let (host, port) = try Net.splitHostPort("[fe80::1%eth0]:8080")
/// print(host, port)   // fe80::1%eth0 8080
/// ```
///
/// - Throws: ``AddrError`` with Go's text and the whole input as its address:
///   `address golang.org: missing port in address`, `address ::1: too many colons in address`,
///   `missing ']' in address`, `unexpected '[' in address`, `unexpected ']' in address`;
///   plain `missing port in address` for `""`.
public func splitHostPort(_ hostport: String) throws(AddrError) -> (host: String, port: String) {
    let missingPort = "missing port in address"
    let tooManyColons = "too many colons in address"
    let b = Array(hostport.utf8)
    func text(_ part: ArraySlice<UInt8>) -> String { String(decoding: part, as: UTF8.self) }
    func fail(_ why: String) -> AddrError { AddrError(err: why, addr: hostport) }

    // The port starts after the last colon.
    guard let i = b.lastIndex(of: UInt8(ascii: ":")) else { throw fail(missingPort) }

    let host: String
    var j = 0, k = 0  // no '[' may come at or after j, no ']' at or after k
    if b[0] == UInt8(ascii: "[") {
        // The first ']' must come just before the last ':'.
        guard let end = b.firstIndex(of: UInt8(ascii: "]")) else { throw fail("missing ']' in address") }
        switch end + 1 {
        case b.count:
            throw fail(missingPort)  // no ':' can follow the ']'
        case i:
            break  // as expected
        default:
            // Either ']' is not followed by a colon, or by one that is not the last.
            throw fail(b[end + 1] == UInt8(ascii: ":") ? tooManyColons : missingPort)
        }
        host = text(b[1..<end])
        j = 1
        k = end + 1
    } else {
        let h = b[..<i]
        if h.contains(UInt8(ascii: ":")) { throw fail(tooManyColons) }
        host = text(h)
    }
    if b[j...].contains(UInt8(ascii: "[")) { throw fail("unexpected '[' in address") }
    if b[k...].contains(UInt8(ascii: "]")) { throw fail("unexpected ']' in address") }
    return (host, text(b[(i + 1)...]))
}

/// Joins a host and a port into `host:port`, bracketing a host that contains a colon:
/// Go's `net.JoinHostPort`.
///
/// Any colon counts, so an IPv6 literal with a zone becomes `[fe80::1%eth0]:80`, and an
/// already-bracketed host gets a second pair (`[[::1]]:80`), as in Go.
///
/// ```swift
/// print(Net.joinHostPort("::1", "80"), Net.joinHostPort("example.com", "http"))
/// // [::1]:80 example.com:http
/// ```
public func joinHostPort(_ host: String, _ port: String) -> String {
    if host.utf8.contains(UInt8(ascii: ":")) {
        return "[" + host + "]:" + port
    }
    return host + ":" + port
}

/// Splits `host%zone` at the last `%`, if it is not the first character: Go's `splitHostZone`.
func splitHostZone(_ s: String) -> (host: String, zone: String) {
    let b = Array(s.utf8)
    guard let i = b.lastIndex(of: UInt8(ascii: "%")), i > 0 else { return (s, "") }
    return (String(decoding: b[..<i], as: UTF8.self), String(decoding: b[(i + 1)...], as: UTF8.self))
}
