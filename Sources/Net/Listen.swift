// Listening: Go's ListenConfig, net.Listen and net.ListenPacket (dial.go, tcpsock_posix.go,
// unixsock_posix.go), plus the opt-in unix socket file care of UDS-SECURITY.md.
import Syscall

/// Options for listening: Go's `net.ListenConfig`, plus two opt-ins for unix socket files.
///
/// ```swift
/// var lc = ListenConfig()
/// lc.unixSocketMode = 0o660                 // never more open than this, not even for a moment
/// lc.reclaimStaleUnixSocket = true          // a crashed server's leftover file is removed
/// let ln = try await lc.listen("unix", "/run/app/app.sock")
/// ```
public struct ListenConfig: Sendable {
    /// Called after socket(2) and before bind(2): Go's `Control`.
    public var control: ControlHook?
    /// Keep-alive period for accepted TCP connections: nil or zero means Go's 15 s; negative
    /// turns keep-alive off.
    public var keepAlive: Duration?
    /// The permission bits of a unix socket file. Set with fchmod(2) before bind(2), so the file
    /// is created no more open than this (the umask may narrow it further), then with chmod(2)
    /// to exactly this. Connecting needs write permission on the file (unix(7)).
    public var unixSocketMode: UInt32?
    /// Whether a unix listen may remove a leftover socket file in its way. Only a socket that
    /// nobody accepts on is removed: three connect probes 25 ms apart must all be refused. A
    /// live server's socket, or anything that is not a socket, is never touched; note that the
    /// probe's connect reaches a live server, which then accepts one connection that reads end
    /// of stream at once.
    public var reclaimStaleUnixSocket: Bool

    public init(control: ControlHook? = nil, keepAlive: Duration? = nil,
                unixSocketMode: UInt32? = nil, reclaimStaleUnixSocket: Bool = false) {
        self.control = control
        self.keepAlive = keepAlive
        self.unixSocketMode = unixSocketMode
        self.reclaimStaleUnixSocket = reclaimStaleUnixSocket
    }

    /// Listens on a stream network (tcp, tcp4, tcp6, unix, unixpacket): Go's `ListenConfig.Listen`.
    ///
    /// For TCP, ":8080" (or "0.0.0.0:8080") listens on every IPv4 and IPv6 address; a host
    /// name listens on its first IPv4 address. Stream listeners set SO_REUSEADDR; the backlog
    /// is /proc/sys/net/core/somaxconn.
    public func listen(_ network: String, _ address: String) async throws(OpError) -> any Listener {
        let la = try await listenAddress(network, address)
        do {
            switch la {
            case let tcp as TCPAddr:
                let fd = try await internetSocket(network, laddr: tcp, raddr: nil, sotype: Syscall.SOCK_STREAM,
                                                  proto: 0, mode: "listen", control: control)
                return TCPListener(fd, keepAlive: keepAlive)
            case let unix as UnixAddr:
                return try await listenUnix(network, unix)
            default:
                throw AddrError(err: "unexpected address type", addr: address)
            }
        } catch {
            throw OpError(op: "listen", net: network, addr: la, underlying: error)
        }
    }

    /// Listens on a packet network (udp, udp4, udp6, ip:PROTO, unixgram): Go's
    /// `ListenConfig.ListenPacket`. UDP sockets have SO_BROADCAST on.
    public func listenPacket(_ network: String, _ address: String) async throws(OpError) -> any PacketConn {
        let la = try await listenAddress(network, address)
        do {
            switch la {
            case let udp as UDPAddr:
                let fd = try await internetSocket(network, laddr: udp, raddr: nil, sotype: Syscall.SOCK_DGRAM,
                                                  proto: 0, mode: "listen", control: control)
                return UDPConn(fd)
            case let ip as IPAddr:
                // As in Go, the fd's network is the family part ("ip4:icmp" listens as "ip4").
                let (afnet, proto) = try parseNetwork(network, needsProto: true)
                let fd = try await internetSocket(afnet, laddr: ip, raddr: nil, sotype: Syscall.SOCK_RAW,
                                                  proto: proto, mode: "listen", control: control)
                return IPConn(fd)
            case let unix as UnixAddr:
                return UnixConn(try await unixSocket(network, laddr: unix, raddr: nil, mode: "listen", control: control))
            default:
                throw AddrError(err: "unexpected address type", addr: address)
            }
        } catch {
            throw OpError(op: "listen", net: network, addr: la, underlying: error)
        }
    }

    /// Go's Listen prelude: resolve, then take the first IPv4 address (or the first of any).
    private func listenAddress(_ network: String, _ address: String) async throws(OpError) -> (any SocketAddress)? {
        do {
            return try await resolveAddrList("listen", network, address, hint: nil).first(preferring: isIPv4)
        } catch {
            throw OpError(op: "listen", net: network, underlying: error)
        }
    }

    private func listenUnix(_ network: String, _ addr: UnixAddr) async throws -> UnixListener {
        var control = self.control
        if let mode = unixSocketMode {
            // fchmod before bind: Linux creates the socket file with the fd's mode (umask applied).
            let user = control
            control = { net, address, raw in
                try raw.control { fd in try Syscall.fchmod(fd, mode) }
                try user?(net, address, raw)
            }
        }
        let fd: NetFD
        do {
            fd = try await unixSocket(network, laddr: addr, raddr: nil, mode: "listen", control: control)
        } catch let e as SyscallError where e.err == .EADDRINUSE && reclaimStaleUnixSocket {
            guard await isStaleUnixSocket(addr.name, network) else { throw e }
            try? Syscall.unlink(addr.name)
            fd = try await unixSocket(network, laddr: addr, raddr: nil, mode: "listen", control: control)
        }
        let path = fd.laddr?.description ?? addr.name
        if let mode = unixSocketMode, !path.hasPrefix("@") {
            do { try Syscall.chmod(path, mode) } catch {
                try? fd.close()
                throw SyscallError("chmod", error)
            }
        }
        return UnixListener(fd, path: path, unlinkOnClose: true)
    }
}

/// Listens with the default configuration: Go's `net.Listen`.
///
/// ```swift
/// let ln = try await Net.listen("tcp", ":8080")
/// let ln2 = try await Net.listen("unix", "/tmp/echo.sock")
/// ```
public func listen(_ network: String, _ address: String) async throws(OpError) -> any Listener {
    try await ListenConfig().listen(network, address)
}

/// Listens for packets with the default configuration: Go's `net.ListenPacket`.
///
/// ```swift
/// let pc = try await Net.listenPacket("udp", "127.0.0.1:0")
/// ```
public func listenPacket(_ network: String, _ address: String) async throws(OpError) -> any PacketConn {
    try await ListenConfig().listenPacket(network, address)
}

/// Whether `path` is a socket file nobody accepts on: it must be a socket, and three
/// non-blocking connects 25 ms apart must all be refused (a live server whose backlog is full
/// answers EAGAIN, which counts as alive).
func isStaleUnixSocket(_ path: String, _ network: String) async -> Bool {
    guard let st = try? Syscall.lstat(path), st.isSocket, let sotype = unixSocketType(network) else { return false }
    for attempt in 0..<3 {
        if attempt > 0 { try? await Task.sleep(for: .milliseconds(25)) }
        guard let s = try? Syscall.socket(Syscall.AF_UNIX, sotype | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0) else {
            return false
        }
        defer { try? Syscall.close(s) }
        do {
            try Syscall.connect(s, SockaddrUnix(name: path))
            return false
        } catch .ECONNREFUSED {
            continue
        } catch {
            return false
        }
    }
    return true
}
