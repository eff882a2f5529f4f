// TCP connections and listeners: Go's tcpsock.go and tcpsock_posix.go.
import NetPoll
import Syscall

/// A TCP connection: Go's `net.TCPConn`.
///
/// Dialed and accepted connections have TCP_NODELAY on and keep-alive probes every 15 s, as in
/// Go. Besides ``SocketConn``'s methods it can close one direction and tune TCP options.
///
/// ```swift
/// let conn = try await Net.dial("tcp", "example.com:80") as! TCPConn
/// try await conn.write("GET / HTTP/1.0\r\n\r\n")
/// try conn.closeWrite()               // FIN: the server sees end of request
/// let response = try await conn.readAll()
/// ```
public final class TCPConn: SocketConn, @unchecked Sendable {
    /// Wraps a connected fd with Go's defaults: TCP_NODELAY on, then keep-alive as configured
    /// (nil or zero: 15 s; negative: off).
    init(_ fd: NetFD, keepAlive: Duration?) {
        super.init(fd)
        try? fd.setsockoptInt(Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY, 1)
        let period = (keepAlive == nil || keepAlive == .zero) ? defaultTCPKeepAlive : keepAlive!
        if period > .zero {
            try? fd.setsockoptInt(Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE, 1)
            try? setKeepAlivePeriodOption(period)
        }
    }

    /// Go's "set" errors for TCP options name both addresses.
    private func optionError(_ error: any Error) -> OpError {
        OpError(op: "set", net: fd.net, source: fd.laddr, addr: fd.raddr, underlying: error)
    }

    /// Turns Nagle's algorithm off (true, the default) or on: Go's `SetNoDelay` (TCP_NODELAY).
    public func setNoDelay(_ noDelay: Bool) throws(OpError) {
        do { try fd.setsockoptInt(Syscall.IPPROTO_TCP, Syscall.TCP_NODELAY, noDelay ? 1 : 0) } catch { throw optionError(error) }
    }

    /// Turns keep-alive probes on or off: Go's `SetKeepAlive` (SO_KEEPALIVE).
    public func setKeepAlive(_ keepAlive: Bool) throws(OpError) {
        do { try fd.setsockoptInt(Syscall.SOL_SOCKET, Syscall.SO_KEEPALIVE, keepAlive ? 1 : 0) } catch { throw optionError(error) }
    }

    /// Sets the idle time before the first probe and between probes, rounded up to whole
    /// seconds: Go's `SetKeepAlivePeriod` (TCP_KEEPIDLE and TCP_KEEPINTVL).
    public func setKeepAlivePeriod(_ period: Duration) throws(OpError) {
        do { try setKeepAlivePeriodOption(period) } catch { throw optionError(error) }
    }

    private func setKeepAlivePeriodOption(_ period: Duration) throws {
        let (seconds, attoseconds) = period.components
        let secs = max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
        try fd.setsockoptInt(Syscall.IPPROTO_TCP, Syscall.TCP_KEEPINTVL, secs)
        try fd.setsockoptInt(Syscall.IPPROTO_TCP, Syscall.TCP_KEEPIDLE, secs)
    }

    /// Sets what close does with unsent data: Go's `SetLinger`. Negative (the default): close
    /// returns at once and the kernel sends the rest in the background. 0: close discards it and
    /// resets the connection (RST). Positive: close blocks up to that many seconds.
    public func setLinger(_ seconds: Int) throws(OpError) {
        let l = seconds < 0 ? Linger(onoff: 0, linger: 0) : Linger(onoff: 1, linger: Int32(clamping: seconds))
        do {
            try fd.pfd.withFD { (s) throws(Errno) in try Syscall.setsockoptLinger(s, Syscall.SOL_SOCKET, Syscall.SO_LINGER, l) }
        } catch {
            throw optionError(NetFD.wrap(error, "setsockopt"))
        }
    }

    /// Shuts down the reading side: later reads return 0 (end of stream). Go's `CloseRead`.
    public func closeRead() throws(OpError) {
        do { try fd.shutdown(Syscall.SHUT_RD) } catch { throw opError("close", error) }
    }

    /// Shuts down the writing side, sending FIN: the peer reads end of stream but may still
    /// write back. Later writes fail with `broken pipe`. Go's `CloseWrite`.
    public func closeWrite() throws(OpError) {
        do { try fd.shutdown(Syscall.SHUT_WR) } catch { throw opError("close", error) }
    }
}

/// Go's default keep-alive period for dialed and accepted TCP connections.
let defaultTCPKeepAlive: Duration = .seconds(15)

/// A TCP listener: Go's `net.TCPListener`.
///
/// ```swift
/// let ln = try await Net.listen("tcp", "127.0.0.1:0") as! TCPListener
/// print("listening on \(ln.addr)")
/// let conn = try await ln.acceptTCP()
/// ```
public final class TCPListener: Listener, @unchecked Sendable {
    let fd: NetFD
    let keepAlive: Duration?

    init(_ fd: NetFD, keepAlive: Duration?) {
        self.fd = fd
        self.keepAlive = keepAlive
    }

    /// The address it listens on (with the port the kernel chose for port 0).
    public var addr: any Addr { fd.laddr ?? TCPAddr() }

    /// The poller that owns the listening fd, as a task executor.
    public var executor: any TaskExecutor { fd.pfd.poller }

    private func opError(_ op: String, _ error: any Error) -> OpError {
        OpError(op: op, net: fd.net, source: nil, addr: fd.laddr, underlying: error)
    }

    /// Waits for the next connection: Go's `AcceptTCP`. Aborted handshakes are skipped.
    public func acceptTCP() async throws(OpError) -> TCPConn {
        do {
            let nfd = try await fd.acceptFD()
            return TCPConn(nfd, keepAlive: keepAlive)
        } catch {
            throw opError("accept", error)
        }
    }

    public func accept() async throws(OpError) -> any Conn { try await acceptTCP() }

    /// Stops listening: Go's `Close`. Blocked accepts fail with ``ErrClosed``; connections
    /// already accepted are not touched.
    public func close() throws(OpError) {
        do { try fd.close() } catch { throw opError("close", error) }
    }

    /// Sets the deadline for accept: Go's `SetDeadline`. nil clears it.
    public func setDeadline(_ t: ContinuousClock.Instant?) throws(OpError) {
        do { try fd.setDeadline(t, .read) } catch { throw opError("set", error) }
    }

    /// A close-on-exec duplicate of the listening fd, for the caller to own: Go's `File()`.
    public func file() throws(OpError) -> Int32 {
        do { return try fd.dup() } catch { throw opError("file", error) }
    }

    /// Raw access to the listening socket: Go's `SyscallConn`.
    public func syscallConn() -> RawConn { RawConn(fd) }
}

extension NetFD {
    /// Accepts one connection and wraps it as a NetFD of the same family and network.
    func acceptFD() async throws -> NetFD {
        let (s, peer) = try await accept()
        let remote: any Addr
        let pfd: PollFD
        do throws(Errno) { remote = try acceptedPeerAddr(peer, sotype: sotype) } catch {
            // A family Net has no address for: closed, with the error Syscall.accept4 gives.
            try? Syscall.close(s)
            throw Self.wrap(.errno(error), "accept4")
        }
        do { pfd = try registered(s, stream: self.pfd.stream, acceptedBy: self.pfd) } catch {
            try? Syscall.close(s)
            throw error
        }
        let conn = NetFD(pfd, family: family, sotype: sotype, net: net)
        conn.setAddr(local: acceptedLocalAddr(conn), remote: remote)
        return conn
    }

    /// The local address of a connection this listener accepted, with no getsockname(2) where the
    /// kernel's answer is already known: an accepted unix socket shares its listener's bound
    /// name (unix_stream_connect hands the listener's address to the new socket), and a TCP
    /// listener bound to one IP accepts only connections to that IP and port. A wildcard TCP
    /// listener asks the kernel, as Go does for every accept.
    ///
    /// The listener's own value is returned as it is, not unwrapped and rewrapped, so every
    /// connection shares its existential box instead of allocating one.
    ///
    /// A unix listener is known by its family, not by casting its address: a cast from an
    /// existential costs a few hundred instructions, on every accept.
    private func acceptedLocalAddr(_ conn: NetFD) -> (any Addr)? {
        let listening = laddr
        if family == AF_UNIX { return listening }
        if let tcp = listening as? TCPAddr, !tcp.isWildcard { return listening }
        return conn.localSockaddr()
    }
}
