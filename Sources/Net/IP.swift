// Go's net.IP: a single IPv4 or IPv6 address held as its bytes, 4 or 16 of them, with Go's
// equality (a 4-byte address equals its 16-byte IPv4-mapped form) and Go's text form.

/// The length of an IPv4 address in bytes: Go's `net.IPv4len`.
public let ipv4len = 4

/// The length of an IPv6 address in bytes: Go's `net.IPv6len`.
public let ipv6len = 16

/// The 12 bytes that turn an IPv4 address into its IPv4-mapped IPv6 form, `::ffff:a.b.c.d`.
let v4InV6Prefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

/// An IP address as its bytes: Go's `net.IP`.
///
/// Like Go's `[]byte`, the bytes are 4 long for IPv4, 16 long for IPv6, and may be any length:
/// an empty IP is Go's nil IP and prints `<nil>`. ``parseIP(_:)`` and ``IP/v4(_:_:_:_:)`` return
/// IPv4 addresses in the 16-byte IPv4-mapped form, as Go does; `==` and hashing follow Go's
/// `IP.Equal`, so `192.0.2.1` as 4 bytes equals `::ffff:192.0.2.1` as 16. Compare addresses with
/// `==`, never by their `bytes`.
///
/// ```swift
/// let ip = Net.parseIP("192.0.2.1")!
/// print(ip.bytes.count)                    // 16
/// print(ip == IP([192, 0, 2, 1]))          // true
/// print(ip, Net.parseIP("2001:db8::1")!)   // 192.0.2.1 2001:db8::1
/// ```
public struct IP: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6 (including IPv4-mapped).
    public var bytes: [UInt8]

    /// An address with exactly these bytes; no check of the length, as Go's `net.IP(b)`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// An address written as a byte list: `let ip: IP = [127, 0, 0, 1]`.
    public init(arrayLiteral bytes: UInt8...) { self.bytes = bytes }

    /// The 16-byte IPv4-mapped address `::ffff:a.b.c.d`: Go's `net.IPv4`.
    ///
    /// ```swift
    /// let ip = IP.v4(10, 0, 0, 1)
    /// print(ip.bytes.count, ip)   // 16 10.0.0.1
    /// ```
    public static func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IP {
        IP(v4InV6Prefix + [a, b, c, d])
    }

    /// The IPv4 limited broadcast address 255.255.255.255: Go's `net.IPv4bcast`.
    public static let ipv4bcast = IP.v4(255, 255, 255, 255)
    /// The all-systems multicast group 224.0.0.1: Go's `net.IPv4allsys`.
    public static let ipv4allsys = IP.v4(224, 0, 0, 1)
    /// The all-routers multicast group 224.0.0.2: Go's `net.IPv4allrouter`.
    public static let ipv4allrouter = IP.v4(224, 0, 0, 2)
    /// The IPv4 unspecified address 0.0.0.0: Go's `net.IPv4zero`.
    public static let ipv4zero = IP.v4(0, 0, 0, 0)
    /// The IPv6 unspecified address `::`: Go's `net.IPv6zero`.
    public static let ipv6zero = IP([UInt8](repeating: 0, count: 16))
    /// The IPv6 unspecified address `::`: Go's `net.IPv6unspecified`.
    public static let ipv6unspecified = IP([UInt8](repeating: 0, count: 16))
    /// The IPv6 loopback address `::1`: Go's `net.IPv6loopback`.
    public static let ipv6loopback = IP([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    /// The interface-local all-nodes group `ff01::1`: Go's `net.IPv6interfacelocalallnodes`.
    public static let ipv6interfacelocalallnodes = IP([0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    /// The link-local all-nodes group `ff02::1`: Go's `net.IPv6linklocalallnodes`.
    public static let ipv6linklocalallnodes = IP([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    /// The link-local all-routers group `ff02::2`: Go's `net.IPv6linklocalallrouters`.
    public static let ipv6linklocalallrouters = IP([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])

    // MARK: Conversions

    /// The 4-byte form of an IPv4 address, or nil if this is not one: Go's `IP.To4`.
    ///
    /// A 4-byte IP is returned as it is; a 16-byte IP only if it is IPv4-mapped (`::ffff:0:0/96`),
    /// so `::1.2.3.4` (IPv4-compatible) is not IPv4.
    ///
    /// ```swift
    /// print(Net.parseIP("::ffff:1.2.3.4")!.to4()!.bytes)   // [1, 2, 3, 4]
    /// print(Net.parseIP("::1.2.3.4")!.to4() == nil)        // true
    /// ```
    public func to4() -> IP? {
        if bytes.count == 4 { return self }
        if bytes.count == 16 && bytes[0..<12].elementsEqual(v4InV6Prefix) { return IP(Array(bytes[12...])) }
        return nil
    }

    /// The 16-byte form of the address, or nil if it is neither 4 nor 16 bytes: Go's `IP.To16`.
    ///
    /// ```swift
    /// print(IP([10, 0, 0, 1]).to16()!.bytes.count)   // 16, as ::ffff:10.0.0.1
    /// ```
    public func to16() -> IP? {
        if bytes.count == 4 { return IP(v4InV6Prefix + bytes) }
        if bytes.count == 16 { return self }
        return nil
    }

    // MARK: Equality

    /// Whether two IPs are the same address: Go's `IP.Equal`.
    ///
    /// A 4-byte IPv4 address equals its 16-byte IPv4-mapped form; otherwise the bytes must match,
    /// so two empty IPs are equal and IPs of other lengths compare byte for byte.
    ///
    /// ```swift
    /// print(IP([127, 0, 0, 1]) == Net.parseIP("127.0.0.1"))   // true
    /// ```
    public static func == (ip: IP, x: IP) -> Bool {
        let a = ip.bytes, b = x.bytes
        if a.count == b.count { return a == b }
        if a.count == 4 && b.count == 16 { return b[0..<12].elementsEqual(v4InV6Prefix) && b[12...].elementsEqual(a) }
        if a.count == 16 && b.count == 4 { return a[0..<12].elementsEqual(v4InV6Prefix) && a[12...].elementsEqual(b) }
        return false
    }

    /// Hashes the 16-byte form, so addresses equal under Go's `IP.Equal` hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count == 4 ? v4InV6Prefix + bytes : bytes)
    }

    // MARK: Classification

    /// Whether this is 0.0.0.0 or `::`: Go's `IP.IsUnspecified`.
    public var isUnspecified: Bool { self == .ipv4zero || self == .ipv6unspecified }

    /// Whether this is a loopback address, 127.0.0.0/8 or `::1`: Go's `IP.IsLoopback`.
    ///
    /// ```swift
    /// print(Net.parseIP("127.1.2.3")!.isLoopback, Net.parseIP("::1")!.isLoopback)   // true true
    /// ```
    public var isLoopback: Bool {
        if let ip4 = to4() { return ip4.bytes[0] == 127 }
        return self == .ipv6loopback
    }

    /// Whether this is a private address, RFC 1918 for IPv4 (10/8, 172.16/12, 192.168/16) and
    /// RFC 4193 for IPv6 (fc00::/7): Go's `IP.IsPrivate`.
    ///
    /// ```swift
    /// print(Net.parseIP("172.31.0.1")!.isPrivate, Net.parseIP("fd00::1")!.isPrivate)   // true true
    /// ```
    public var isPrivate: Bool {
        if let ip4 = to4() {
            let b = ip4.bytes
            return b[0] == 10 || (b[0] == 172 && b[1] & 0xf0 == 16) || (b[0] == 192 && b[1] == 168)
        }
        return bytes.count == 16 && bytes[0] & 0xfe == 0xfc
    }

    /// Whether this is a multicast address, 224.0.0.0/4 or ff00::/8: Go's `IP.IsMulticast`.
    public var isMulticast: Bool {
        if let ip4 = to4() { return ip4.bytes[0] & 0xf0 == 0xe0 }
        return bytes.count == 16 && bytes[0] == 0xff
    }

    /// Whether this is an IPv6 interface-local multicast address, ffx1::/16:
    /// Go's `IP.IsInterfaceLocalMulticast`. IPv4 has none.
    public var isInterfaceLocalMulticast: Bool {
        bytes.count == 16 && bytes[0] == 0xff && bytes[1] & 0x0f == 0x01
    }

    /// Whether this is a link-local multicast address, 224.0.0.0/24 or ffx2::/16:
    /// Go's `IP.IsLinkLocalMulticast`.
    public var isLinkLocalMulticast: Bool {
        if let ip4 = to4() { return ip4.bytes[0] == 224 && ip4.bytes[1] == 0 && ip4.bytes[2] == 0 }
        return bytes.count == 16 && bytes[0] == 0xff && bytes[1] & 0x0f == 0x02
    }

    /// Whether this is a link-local unicast address, 169.254.0.0/16 or fe80::/10:
    /// Go's `IP.IsLinkLocalUnicast`.
    ///
    /// ```swift
    /// print(Net.parseIP("fe80::1")!.isLinkLocalUnicast)   // true
    /// ```
    public var isLinkLocalUnicast: Bool {
        if let ip4 = to4() { return ip4.bytes[0] == 169 && ip4.bytes[1] == 254 }
        return bytes.count == 16 && bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
    }

    /// Whether this is a global unicast address: Go's `IP.IsGlobalUnicast`.
    ///
    /// True for any 4- or 16-byte address that is not the limited broadcast, unspecified,
    /// loopback, multicast or link-local unicast; private addresses count as global, as in Go.
    ///
    /// ```swift
    /// print(Net.parseIP("10.1.2.3")!.isGlobalUnicast, IP.ipv4bcast.isGlobalUnicast)   // true false
    /// ```
    public var isGlobalUnicast: Bool {
        (bytes.count == 4 || bytes.count == 16) && self != .ipv4bcast && !isUnspecified && !isLoopback
            && !isMulticast && !isLinkLocalUnicast
    }

    // MARK: Text

    /// The address as Go's `IP.String()` writes it, to the character.
    ///
    /// A 4-byte or IPv4-mapped IP is a dotted quad; any other 16-byte IP follows RFC 5952
    /// (lower-case hex, `::` for the first longest run of two or more zero groups); an empty IP
    /// is `<nil>`; any other length is `?` and the bytes in hex.
    ///
    /// ```swift
    /// print(Net.parseIP("2001:0db8:0:0:1:0:0:1")!)   // 2001:db8::1:0:0:1
    /// print(IP([1, 2, 3]))                          // ?010203
    /// ```
    public var description: String {
        if bytes.isEmpty { return "<nil>" }
        if let ip4 = to4() { return ip4.bytes.map { String($0) }.joined(separator: ".") }
        if bytes.count != 16 { return "?" + hexString(bytes) }

        // The longest run of zero groups, the first one on a tie.
        var e0 = -1, e1 = -1
        var i = 0
        while i < 16 {
            var j = i
            while j < 16 && bytes[j] == 0 && bytes[j + 1] == 0 { j += 2 }
            if j > i && j - i > e1 - e0 {
                e0 = i
                e1 = j
                i = j
            }
            i += 2
        }
        // RFC 5952 4.2.2: "::" must not stand for a single zero group.
        if e1 - e0 <= 2 {
            e0 = -1
            e1 = -1
        }

        var out = ""
        i = 0
        while i < 16 {
            if i == e0 {
                out += "::"
                i = e1
                if i >= 16 { break }
            } else if i > 0 {
                out += ":"
            }
            out += String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16)
            i += 2
        }
        return out
    }
}

/// The bytes as lower-case hex with no punctuation, as Go's `hexString`.
func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Go's `ipEmptyString`: the address's text, or "" for a missing or empty IP.
func ipEmptyString(_ ip: IP?) -> String {
    guard let ip, !ip.bytes.isEmpty else { return "" }
    return ip.description
}
