// Go's net.IPMask: a bit mask over an address's bytes, its constructors, and masking an IP.

/// A network mask as its bytes: Go's `net.IPMask`.
///
/// 4 bytes for IPv4 and 16 for IPv6, like the addresses it masks. ``cidrMask(_:_:)`` builds the
/// canonical ones-then-zeros form; any bytes are allowed, and ``size()`` says whether they are
/// canonical. Two masks are equal when their bytes are.
///
/// ```swift
/// let mask = Net.cidrMask(20, 32)!
/// print(mask, mask.size())   // fffff000 (ones: 20, bits: 32)
/// ```
public struct IPMask: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The mask bytes in network order.
    public var bytes: [UInt8]

    /// A mask with exactly these bytes; no check of the length or the form, as Go's `net.IPMask(b)`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// A mask written as a byte list: `let mask: IPMask = [255, 255, 255, 0]`.
    public init(arrayLiteral bytes: UInt8...) { self.bytes = bytes }

    /// The number of leading one bits and the total number of bits: Go's `IPMask.Size`.
    ///
    /// `(0, 0)` when the mask is not ones followed by zeros, as in Go (so `(0, 0)` is also what
    /// an empty mask gives, and `(0, 32)` is the valid IPv4 mask `0.0.0.0`).
    ///
    /// ```swift
    /// print(Net.ipv4Mask(255, 255, 255, 0).size())   // (ones: 24, bits: 32)
    /// print(Net.ipv4Mask(255, 0, 255, 0).size())     // (ones: 0, bits: 0)
    /// ```
    public func size() -> (ones: Int, bits: Int) {
        guard let ones = simpleMaskLength(bytes) else { return (0, 0) }
        return (ones, bytes.count * 8)
    }

    /// The mask as lower-case hex with no punctuation, or `<nil>` when empty: Go's `IPMask.String()`.
    ///
    /// ```swift
    /// print(Net.ipv4Mask(255, 255, 255, 240))   // fffffff0
    /// ```
    public var description: String {
        bytes.isEmpty ? "<nil>" : hexString(bytes)
    }
}

/// The 4-byte IPv4 mask `a.b.c.d`: Go's `net.IPv4Mask`.
///
/// ```swift
/// let mask = Net.ipv4Mask(255, 255, 0, 0)
/// print(mask.size().ones)   // 16
/// ```
public func ipv4Mask(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPMask {
    IPMask([a, b, c, d])
}

/// A mask of `ones` one bits followed by zeros up to `bits` bits: Go's `net.CIDRMask`.
///
/// Nil unless `bits` is 32 or 128 and `ones` is in `0...bits`, as in Go. For a canonical mask it
/// is the inverse of ``IPMask/size()``.
///
/// ```swift
/// print(Net.cidrMask(12, 32)!)            // fff00000
/// print(Net.cidrMask(33, 32) == nil)      // true
/// ```
public func cidrMask(_ ones: Int, _ bits: Int) -> IPMask? {
    guard bits == 8 * ipv4len || bits == 8 * ipv6len, ones >= 0, ones <= bits else { return nil }
    var mask = [UInt8](repeating: 0, count: bits / 8)
    var n = ones
    for i in mask.indices {
        if n >= 8 {
            mask[i] = 0xff
            n -= 8
        } else {
            mask[i] = ~UInt8(0xff >> n)
            n = 0
        }
    }
    return IPMask(mask)
}

/// The number of leading one bits if the mask is ones followed by zeros, else nil:
/// Go's `simpleMaskLength` (which says -1).
func simpleMaskLength(_ mask: [UInt8]) -> Int? {
    var n = 0
    for (i, byte) in mask.enumerated() {
        if byte == 0xff {
            n += 8
            continue
        }
        // The first byte that is not 0xff: its leading ones, then nothing but zeros.
        var v = byte
        while v & 0x80 != 0 {
            n += 1
            v <<= 1
        }
        if v != 0 { return nil }
        if mask[(i + 1)...].contains(where: { $0 != 0 }) { return nil }
        break
    }
    return n
}

extension IP {
    /// The default mask of an IPv4 address's historical class (A: /8, B: /16, C and above: /24),
    /// or nil for an address that is not IPv4: Go's `IP.DefaultMask`.
    ///
    /// ```swift
    /// print(Net.parseIP("172.16.0.1")!.defaultMask()!)   // ffff0000
    /// ```
    public func defaultMask() -> IPMask? {
        guard let ip4 = to4() else { return nil }
        switch ip4.bytes[0] {
        case ..<0x80: return ipv4Mask(0xff, 0, 0, 0)
        case ..<0xC0: return ipv4Mask(0xff, 0xff, 0, 0)
        default: return ipv4Mask(0xff, 0xff, 0xff, 0)
        }
    }

    /// The address with every bit outside the mask cleared: Go's `IP.Mask`.
    ///
    /// Lengths are reconciled as in Go: a 4-byte IP takes the last 4 bytes of a 16-byte mask
    /// whose first 12 bytes are all 0xff, and an IPv4-mapped IP under a 4-byte mask is masked
    /// as 4 bytes (so the result is 4 bytes). Nil if the lengths still differ.
    ///
    /// ```swift
    /// let ip = Net.parseIP("192.168.1.127")!
    /// print(ip.mask(Net.cidrMask(25, 32)!)!)   // 192.168.1.0
    /// ```
    public func mask(_ mask: IPMask) -> IP? {
        var m = mask.bytes[...]
        var ip = bytes[...]
        if m.count == 16 && ip.count == 4 && m.prefix(12).allSatisfy({ $0 == 0xff }) {
            m = m.dropFirst(12)
        }
        if m.count == 4 && ip.count == 16 && ip.prefix(12).elementsEqual(v4InV6Prefix) {
            ip = ip.dropFirst(12)
        }
        guard ip.count == m.count else { return nil }
        return IP(zip(ip, m).map { $0 & $1 })
    }
}
