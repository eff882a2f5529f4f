// Go's typed constructors: DialTCP, ListenTCP, DialUDP, ListenUDP, DialIP, ListenIP, DialUnix,
// ListenUnix, ListenUnixgram. They take resolved addresses, do no name lookup and no Happy
// Eyeballs, and check the network themselves.
import Syscall

private func checkNetwork(_ network: String, _ allowed: [String], _ op: String, _ source: (any Addr)?, _ addr: (any Addr)?) throws(OpError) {
    if !allowed.contains(network) {
        throw OpError(op: op, net: network, source: source, addr: addr, underlying: UnknownNetworkError(network))
    }
}

/// Connects to a TCP address, binding `laddr` first if given: Go's `net.DialTCP`.
///
/// ```swift
/// let conn = try await Net.dialTCP("tcp", nil, TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 8080))
/// ```
public func dialTCP(_ network: String, _ laddr: TCPAddr?, _ raddr: TCPAddr?) async throws(OpError) -> TCPConn {
    try checkNetwork(network, ["tcp", "tcp4", "tcp6"], "dial", laddr, raddr)
    guard let raddr else { throw OpError(op: "dial", net: network, source: laddr, underlying: NetErrorText.missingAddress) }
    let dialer = Dialer(localAddr: laddr)
    return try await SysDialer(dialer: dialer, network: network, address: raddr.description).dialSingle(raddr, nil) as! TCPConn
}

/// Listens on a TCP address (nil: every address, a kernel-chosen port): Go's `net.ListenTCP`.
///
/// ```swift
/// let ln = try await Net.listenTCP("tcp", TCPAddr(port: 0))
/// ```
public func listenTCP(_ network: String, _ laddr: TCPAddr?) async throws(OpError) -> TCPListener {
    try checkNetwork(network, ["tcp", "tcp4", "tcp6"], "listen", nil, laddr)
    let laddr = laddr ?? TCPAddr()
    do {
        let fd = try await internetSocket(network, laddr: laddr, raddr: nil, sotype: Syscall.SOCK_STREAM, proto: 0, mode: "listen", control: nil)
        return TCPListener(fd, keepAlive: nil)
    } catch {
        throw OpError(op: "listen", net: network, addr: laddr, underlying: error)
    }
}

/// Connects a UDP socket to `raddr`: Go's `net.DialUDP`.
///
/// ```swift
/// let conn = try await Net.dialUDP("udp", nil, UDPAddr(ip: IP.v4(127, 0, 0, 1), port: 53))
/// ```
public func dialUDP(_ network: String, _ laddr: UDPAddr?, _ raddr: UDPAddr?) async throws(OpError) -> UDPConn {
    try checkNetwork(network, ["udp", "udp4", "udp6"], "dial", laddr, raddr)
    guard let raddr else { throw OpError(op: "dial", net: network, source: laddr, underlying: NetErrorText.missingAddress) }
    let dialer = Dialer(localAddr: laddr)
    return try await SysDialer(dialer: dialer, network: network, address: raddr.description).dialSingle(raddr, nil) as! UDPConn
}

/// Opens an unconnected UDP socket on `laddr` (nil: every address, any port): Go's
/// `net.ListenUDP`.
///
/// ```swift
/// let pc = try await Net.listenUDP("udp", UDPAddr(ip: IP.v4(127, 0, 0, 1)))
/// ```
public func listenUDP(_ network: String, _ laddr: UDPAddr?) async throws(OpError) -> UDPConn {
    try checkNetwork(network, ["udp", "udp4", "udp6"], "listen", nil, laddr)
    let laddr = laddr ?? UDPAddr()
    do {
        let fd = try await internetSocket(network, laddr: laddr, raddr: nil, sotype: Syscall.SOCK_DGRAM, proto: 0, mode: "listen", control: nil)
        return UDPConn(fd)
    } catch {
        throw OpError(op: "listen", net: network, addr: laddr, underlying: error)
    }
}

/// Connects a raw IP socket ("ip4:icmp", ...) to `raddr`: Go's `net.DialIP`.
public func dialIP(_ network: String, _ laddr: IPAddr?, _ raddr: IPAddr?) async throws(OpError) -> IPConn {
    do {
        let (afnet, _) = try parseNetwork(network, needsProto: true)
        guard ["ip", "ip4", "ip6"].contains(afnet) else { throw UnknownNetworkError(network) }
    } catch {
        throw OpError(op: "dial", net: network, source: laddr, addr: raddr, underlying: error)
    }
    guard let raddr else { throw OpError(op: "dial", net: network, source: laddr, underlying: NetErrorText.missingAddress) }
    let dialer = Dialer(localAddr: laddr)
    return try await SysDialer(dialer: dialer, network: network, address: raddr.description).dialSingle(raddr, nil) as! IPConn
}

/// Opens a raw IP socket for a protocol on `laddr`: Go's `net.ListenIP`. Needs CAP_NET_RAW.
public func listenIP(_ network: String, _ laddr: IPAddr?) async throws(OpError) -> IPConn {
    let laddr = laddr ?? IPAddr()
    do {
        let (afnet, proto) = try parseNetwork(network, needsProto: true)
        guard ["ip", "ip4", "ip6"].contains(afnet) else { throw UnknownNetworkError(network) }
        let fd = try await internetSocket(network, laddr: laddr, raddr: nil, sotype: Syscall.SOCK_RAW, proto: proto, mode: "listen", control: nil)
        return IPConn(fd)
    } catch {
        throw OpError(op: "listen", net: network, addr: laddr, underlying: error)
    }
}

/// Connects a unix socket (unix, unixgram or unixpacket): Go's `net.DialUnix`. For unixgram,
/// a nil `raddr` with a `laddr` gives an unconnected socket bound to `laddr`.
///
/// ```swift
/// let conn = try await Net.dialUnix("unix", nil, UnixAddr(name: "/tmp/echo.sock", net: "unix"))
/// ```
public func dialUnix(_ network: String, _ laddr: UnixAddr?, _ raddr: UnixAddr?) async throws(OpError) -> UnixConn {
    try checkNetwork(network, ["unix", "unixgram", "unixpacket"], "dial", laddr, raddr)
    do {
        return UnixConn(try await unixSocket(network, laddr: laddr, raddr: raddr, mode: "dial", control: nil))
    } catch {
        throw OpError(op: "dial", net: network, source: laddr, addr: raddr, underlying: error)
    }
}

/// Listens on a unix stream or seqpacket address: Go's `net.ListenUnix`. The listener removes
/// its socket file when closed.
///
/// ```swift
/// let ln = try await Net.listenUnix("unix", UnixAddr(name: "/tmp/echo.sock", net: "unix"))
/// ```
public func listenUnix(_ network: String, _ laddr: UnixAddr?) async throws(OpError) -> UnixListener {
    try checkNetwork(network, ["unix", "unixpacket"], "listen", nil, laddr)
    guard let laddr else { throw OpError(op: "listen", net: network, underlying: NetErrorText.missingAddress) }
    do {
        let fd = try await unixSocket(network, laddr: laddr, raddr: nil, mode: "listen", control: nil)
        return UnixListener(fd, path: fd.laddr?.description ?? laddr.name, unlinkOnClose: true)
    } catch {
        throw OpError(op: "listen", net: network, addr: laddr, underlying: error)
    }
}

/// Opens a unix datagram socket on `laddr`: Go's `net.ListenUnixgram`. As in Go, its socket
/// file is not removed on close.
///
/// ```swift
/// let pc = try await Net.listenUnixgram("unixgram", UnixAddr(name: "/tmp/g.sock", net: "unixgram"))
/// ```
public func listenUnixgram(_ network: String, _ laddr: UnixAddr?) async throws(OpError) -> UnixConn {
    try checkNetwork(network, ["unixgram"], "listen", nil, laddr)
    guard let laddr else { throw OpError(op: "listen", net: network, underlying: NetErrorText.missingAddress) }
    do {
        return UnixConn(try await unixSocket(network, laddr: laddr, raddr: nil, mode: "listen", control: nil))
    } catch {
        throw OpError(op: "listen", net: network, addr: laddr, underlying: error)
    }
}
