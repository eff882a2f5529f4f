// Go's net.Addr and the address types of the socket families: TCPAddr, UDPAddr, IPAddr, UnixAddr.

/// A network endpoint address: Go's `net.Addr`.
///
/// `network` is Go's `Network()` (`"tcp"`, `"udp"`, `"ip"`, `"unix"`, ...), and `description`
/// is Go's `String()`, the text that dialing accepts back. Connections and
/// listeners report their addresses as `any Addr`; cast to the concrete type for its fields.
///
/// ```swift
/// let addr: any Addr = TCPAddr(ip: Net.parseIP("::1"), port: 80)
/// print(addr.network, addr)   // tcp [::1]:80
/// ```
public protocol Addr: Sendable, CustomStringConvertible {
    /// The name of the network: Go's `Addr.Network()`.
    var network: String { get }
}

/// The text `host[%zone]:port` that Go's `TCPAddr.String()` and `UDPAddr.String()` write.
private func hostPortString(_ ip: IP?, _ zone: String, _ port: Int) -> String {
    let host = ipEmptyString(ip)
    return joinHostPort(zone.isEmpty ? host : host + "%" + zone, String(port))
}

/// A TCP endpoint, an IP address, a port and an IPv6 zone: Go's `net.TCPAddr`.
///
/// A nil (or empty) IP is the wildcard: `":8080"` listens on every address. `network` is
/// `"tcp"` even for an address used with tcp4 or tcp6, as in Go. The port is not range-checked.
///
/// ```swift
/// print(TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 8080))                     // 127.0.0.1:8080
/// print(TCPAddr(ip: Net.parseIP("fe80::1"), port: 80, zone: "eth0"))      // [fe80::1%eth0]:80
/// print(TCPAddr(port: 8080))                                              // :8080
/// ```
public struct TCPAddr: Addr, Hashable {
    /// The IP address; nil for the wildcard.
    public var ip: IP?
    /// The port number.
    public var port: Int
    /// The IPv6 scoped addressing zone (an interface name or index), or "".
    public var zone: String

    /// An address; the defaults are Go's zero `TCPAddr{}`, the wildcard with port 0.
    public init(ip: IP? = nil, port: Int = 0, zone: String = "") {
        self.ip = ip
        self.port = port
        self.zone = zone
    }

    /// `"tcp"`: Go's `TCPAddr.Network()`.
    public var network: String { "tcp" }

    /// Go's `TCPAddr.String()`: `joinHostPort(ip + "%" + zone, port)`, `":port"` for no IP.
    public var description: String { hostPortString(ip, zone, port) }
}

/// A UDP endpoint, an IP address, a port and an IPv6 zone: Go's `net.UDPAddr`.
///
/// A nil (or empty) IP is the wildcard. `network` is `"udp"` even for udp4 or udp6, as in Go.
///
/// ```swift
/// print(UDPAddr(ip: Net.parseIP("::1"), port: 53))   // [::1]:53
/// ```
public struct UDPAddr: Addr, Hashable {
    /// The IP address; nil for the wildcard.
    public var ip: IP?
    /// The port number.
    public var port: Int
    /// The IPv6 scoped addressing zone (an interface name or index), or "".
    public var zone: String

    /// An address; the defaults are Go's zero `UDPAddr{}`, the wildcard with port 0.
    public init(ip: IP? = nil, port: Int = 0, zone: String = "") {
        self.ip = ip
        self.port = port
        self.zone = zone
    }

    /// `"udp"`: Go's `UDPAddr.Network()`.
    public var network: String { "udp" }

    /// Go's `UDPAddr.String()`: `joinHostPort(ip + "%" + zone, port)`, `":port"` for no IP.
    public var description: String { hostPortString(ip, zone, port) }
}

/// An IP endpoint without a port, for raw IP sockets: Go's `net.IPAddr`.
///
/// ```swift
/// print(IPAddr(ip: Net.parseIP("fe80::1"), zone: "eth0"))   // fe80::1%eth0
/// ```
public struct IPAddr: Addr, Hashable {
    /// The IP address; nil for the wildcard.
    public var ip: IP?
    /// The IPv6 scoped addressing zone (an interface name or index), or "".
    public var zone: String

    /// An address; the defaults are Go's zero `IPAddr{}`.
    public init(ip: IP? = nil, zone: String = "") {
        self.ip = ip
        self.zone = zone
    }

    /// `"ip"`: Go's `IPAddr.Network()`.
    public var network: String { "ip" }

    /// Go's `IPAddr.String()`: the IP, then `%zone` if there is one; "" for no IP.
    public var description: String {
        let host = ipEmptyString(ip)
        return zone.isEmpty ? host : host + "%" + zone
    }
}

/// A Unix domain socket address, a path or an abstract name, and its network: Go's `net.UnixAddr`.
///
/// `net` is `"unix"` (stream), `"unixgram"` (datagram) or `"unixpacket"` (seqpacket) and is
/// what `network` reports. A name starting with `@` is in Linux's abstract namespace (an
/// unnamed socket's address comes back from the kernel as `@`, as in Go).
///
/// ```swift
/// let addr = UnixAddr(name: "/run/app.sock", net: "unixgram")
/// print(addr.network, addr)   // unixgram /run/app.sock
/// ```
public struct UnixAddr: Addr, Hashable {
    /// The path, or `@name` for an abstract socket.
    public var name: String
    /// `"unix"`, `"unixgram"` or `"unixpacket"`.
    public var net: String

    /// An address. `net` defaults to `"unix"`, where Go's zero `UnixAddr{}` has an empty `Net`.
    public init(name: String = "", net: String = "unix") {
        self.name = name
        self.net = net
    }

    /// The `net` field: Go's `UnixAddr.Network()`.
    public var network: String { net }

    /// The name: Go's `UnixAddr.String()`.
    public var description: String { name }
}
