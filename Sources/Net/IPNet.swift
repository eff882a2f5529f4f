// Go's net.IPNet: an IP network, a network number and a mask.

/// An IP network, an address and a mask: Go's `net.IPNet`.
///
/// ``parseCIDR(_:)`` returns one already masked and 4 bytes long for IPv4. It is also an
/// ``Addr`` whose network is `"ip+net"`, as in Go.
///
/// ```swift
/// let (_, net) = try Net.parseCIDR("192.168.100.1/16")
/// print(net, net.contains(Net.parseIP("192.168.5.5")!))   // 192.168.0.0/16 true
/// ```
public struct IPNet: Addr, Hashable {
    /// The network number.
    public var ip: IP
    /// The network mask.
    public var mask: IPMask

    /// A network of `ip` under `mask`; neither is checked nor masked, as with Go's struct literal.
    public init(ip: IP, mask: IPMask) {
        self.ip = ip
        self.mask = mask
    }

    /// `"ip+net"`: Go's `IPNet.Network()`.
    public var network: String { "ip+net" }

    /// Whether the network includes `ip`: Go's `IPNet.Contains`.
    ///
    /// An IPv4 network never contains an IPv6 address and the other way round (`::/0` does not
    /// contain 10.1.2.3); an IPv4-mapped address counts as IPv4.
    ///
    /// ```swift
    /// let net = IPNet(ip: IP.v4(172, 16, 0, 0), mask: Net.cidrMask(12, 32)!)
    /// print(net.contains(IP.v4(172, 31, 1, 1)), net.contains(IP.v4(172, 32, 0, 1)))   // true false
    /// ```
    public func contains(_ ip: IP) -> Bool {
        // A network whose address and mask do not fit together has no number and no mask; Go then
        // compares zero bytes, so it contains only an empty IP. Kept for fidelity.
        let (nn, m) = networkNumberAndMask() ?? ([], [])
        let x = ip.to4()?.bytes ?? ip.bytes
        guard x.count == nn.count else { return false }
        for i in x.indices where nn[i] & m[i] != x[i] & m[i] { return false }
        return true
    }

    /// The network in CIDR notation, Go's `IPNet.String()`: `192.0.2.0/24` or `2001:db8::/48`.
    ///
    /// A mask that is not ones followed by zeros is written in hex (`198.51.100.0/c000ff00`), and
    /// an address and mask whose lengths do not fit together give `<nil>`, as in Go.
    ///
    /// ```swift
    /// print(IPNet(ip: IP.v4(192, 168, 1, 0), mask: Net.ipv4Mask(255, 0, 255, 0)))   // 192.168.1.0/ff00ff00
    /// ```
    public var description: String {
        guard let (nn, m) = networkNumberAndMask() else { return "<nil>" }
        if let ones = simpleMaskLength(m) {
            return "\(IP(nn))/\(ones)"
        }
        return "\(IP(nn))/\(IPMask(m))"
    }

    /// The address (4 bytes for IPv4) and the mask cut to the same length, or nil if they do not
    /// fit together: Go's `networkNumberAndMask`.
    func networkNumberAndMask() -> (ip: [UInt8], mask: [UInt8])? {
        let nn: [UInt8]
        if let ip4 = ip.to4() {
            nn = ip4.bytes
        } else {
            nn = ip.bytes
            guard nn.count == 16 else { return nil }
        }
        var m = mask.bytes
        switch m.count {
        case 4:
            guard nn.count == 4 else { return nil }
        case 16:
            if nn.count == 4 { m = Array(m[12...]) }
        default:
            return nil
        }
        return (nn, m)
    }
}
