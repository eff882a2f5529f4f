// Go's net.ParseIP and net.ParseCIDR: IP text to bytes, accepting exactly what Go 1.19 accepts.
// Parsing works on the UTF-8 bytes, as Go's does on a string's bytes.

/// Parses an IPv4 or IPv6 address, or returns nil: Go's `net.ParseIP`.
///
/// IPv4 text gives the 16-byte IPv4-mapped form, as in Go. Accepts dotted decimal
/// (`192.0.2.1`), IPv6 (`2001:db8::68`) and IPv6 ending in dotted decimal (`::ffff:192.0.2.1`).
/// Rejects what Go rejects: zones (`fe80::1%eth0`), octets with leading zeros (`01.2.3.4`, since
/// Go 1.17), octal, hex and short forms of IPv4, surrounding spaces and brackets. An IPv6 group
/// may have more than four hex digits if its value fits in 16 bits (`00001::` is `1::`).
///
/// ```swift
/// print(Net.parseIP("::ffff:192.0.2.1")!)       // 192.0.2.1
/// print(Net.parseIP("2001:DB8:0:0::1")!)        // 2001:db8::1
/// print(Net.parseIP("192.168.001.1") == nil)    // true
/// ```
public func parseIP(_ s: String) -> IP? {
    let b = Array(s.utf8)
    // The first '.' or ':' decides the family.
    for c in b {
        if c == UInt8(ascii: ".") { return parseIPv4(b[...]) }
        if c == UInt8(ascii: ":") { return parseIPv6(b[...]) }
    }
    return nil
}

/// Parses an address and prefix length in CIDR notation: Go's `net.ParseCIDR`.
///
/// Returns the address as written (16 bytes, IPv4-mapped, for IPv4) and the network it implies,
/// masked, with 4-byte address and mask for IPv4. The prefix length is decimal, may have
/// leading zeros (`/08`) but no sign, and is at most 32 for IPv4 and 128 for IPv6.
///
/// ```swift
/// let (ip, net) = try Net.parseCIDR("192.0.2.1/24")
/// print(ip, net)   // 192.0.2.1 192.0.2.0/24
/// ```
///
/// - Throws: ``ParseError`` with type `"CIDR address"`, whose text is Go's:
///   `invalid CIDR address: 1.2.3.4/33`.
public func parseCIDR(_ s: String) throws(ParseError) -> (IP, IPNet) {
    let b = Array(s.utf8)
    guard let slash = b.firstIndex(of: UInt8(ascii: "/")) else {
        throw ParseError(type: "CIDR address", text: s)
    }
    let addr = b[..<slash], prefix = b[(slash + 1)...]
    var bits = 8 * ipv4len
    var parsed = parseIPv4(addr)
    if parsed == nil {
        bits = 8 * ipv6len
        parsed = parseIPv6(addr)
    }
    let (n, count, ok) = dtoi(prefix)
    guard let ip = parsed, ok, count == prefix.count, n <= bits,
        let mask = cidrMask(n, bits), let network = ip.mask(mask)
    else {
        throw ParseError(type: "CIDR address", text: s)
    }
    return (ip, IPNet(ip: network, mask: mask))
}

/// Go's `big`: numbers are cut off here so they cannot overflow.
private let big = 0xFFFFFF

/// Leading decimal digits of `s`: the value, how many digits, and whether there were any and
/// the value stayed below `big`. Go's `dtoi`.
func dtoi(_ s: ArraySlice<UInt8>) -> (n: Int, count: Int, ok: Bool) {
    var n = 0
    var i = 0
    for c in s {
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { break }
        n = n * 10 + Int(c - UInt8(ascii: "0"))
        if n >= big { return (big, i, false) }
        i += 1
    }
    return i == 0 ? (0, 0, false) : (n, i, true)
}

/// Leading hex digits of `s`: the value, how many digits, and whether there were any and the
/// value stayed below `big`. Go's `xtoi`.
func xtoi(_ s: ArraySlice<UInt8>) -> (n: Int, count: Int, ok: Bool) {
    var n = 0
    var i = 0
    for c in s {
        let digit: Int
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(c - UInt8(ascii: "A")) + 10
        default: return i == 0 ? (0, 0, false) : (n, i, true)
        }
        n = n * 16 + digit
        if n >= big { return (0, i, false) }
        i += 1
    }
    return i == 0 ? (0, 0, false) : (n, i, true)
}

/// Dotted-decimal IPv4, exactly four octets of 0 to 255 without leading zeros, as the 16-byte
/// IPv4-mapped IP: Go's `parseIPv4`.
func parseIPv4(_ text: ArraySlice<UInt8>) -> IP? {
    var s = text
    var p = [UInt8](repeating: 0, count: 4)
    for i in 0..<4 {
        if s.isEmpty { return nil }  // missing octets
        if i > 0 {
            guard s.first == UInt8(ascii: ".") else { return nil }
            s = s.dropFirst()
        }
        let (n, count, ok) = dtoi(s)
        guard ok, n <= 0xFF else { return nil }
        // Go 1.17 and later reject leading zeros, which other parsers read as octal.
        if count > 1 && s.first == UInt8(ascii: "0") { return nil }
        s = s.dropFirst(count)
        p[i] = UInt8(n)
    }
    guard s.isEmpty else { return nil }
    return IP.v4(p[0], p[1], p[2], p[3])
}

/// IPv6 text per RFC 4291 and RFC 5952, with at most one `::` and dotted IPv4 allowed only in
/// the last 32 bits: Go's `parseIPv6`. No zone.
func parseIPv6(_ text: ArraySlice<UInt8>) -> IP? {
    let colon = UInt8(ascii: ":")
    var s = text
    var ip = [UInt8](repeating: 0, count: 16)
    var ellipsis = -1  // where the `::` stands in ip

    if s.count >= 2 && s.first == colon && s.dropFirst().first == colon {
        ellipsis = 0
        s = s.dropFirst(2)
        if s.isEmpty { return IP(ip) }  // just "::"
    }

    var i = 0
    while i < 16 {
        let (n, count, ok) = xtoi(s)
        guard ok, n <= 0xFFFF else { return nil }

        // A group followed by '.' starts a trailing dotted IPv4 address.
        if count < s.count && s[s.startIndex + count] == UInt8(ascii: ".") {
            if ellipsis < 0 && i != 16 - 4 { return nil }  // not the right place
            if i + 4 > 16 { return nil }  // no room
            guard let ip4 = parseIPv4(s) else { return nil }
            ip[i..<(i + 4)] = ip4.bytes[12..<16]
            s = s[s.endIndex...]
            i += 4
            break
        }

        ip[i] = UInt8(n >> 8)
        ip[i + 1] = UInt8(n & 0xff)
        i += 2

        s = s.dropFirst(count)
        if s.isEmpty { break }

        // Otherwise a colon and more must follow.
        guard s.first == colon, s.count > 1 else { return nil }
        s = s.dropFirst()

        if s.first == colon {
            if ellipsis >= 0 { return nil }  // a second "::"
            ellipsis = i
            s = s.dropFirst()
            if s.isEmpty { break }  // "::" at the end
        }
    }

    guard s.isEmpty else { return nil }

    if i < 16 {
        // Too few groups: the "::" stands for the missing ones.
        guard ellipsis >= 0 else { return nil }
        let n = 16 - i
        for j in stride(from: i - 1, through: ellipsis, by: -1) { ip[j + n] = ip[j] }
        for j in stride(from: ellipsis + n - 1, through: ellipsis, by: -1) { ip[j] = 0 }
    } else if ellipsis >= 0 {
        // "::" must stand for at least one zero group.
        return nil
    }
    return IP(ip)
}

/// Parses an IP address that may carry an IPv6 zone (`fe80::1%eth0`), returning the address or
/// nil, and the zone or "": Go's `parseIPZone`, which the resolvers use. IPv4 takes no zone.
func parseIPZone(_ s: String) -> (ip: IP?, zone: String) {
    let b = Array(s.utf8)
    for c in b {
        if c == UInt8(ascii: ".") { return (parseIPv4(b[...]), "") }
        if c == UInt8(ascii: ":") {
            let (host, zone) = splitHostZone(s)
            return (parseIPv6(Array(host.utf8)[...]), zone)
        }
    }
    return (nil, "")
}
