// Dialing: Go's Dialer, net.Dial and net.DialTimeout (dial.go). Addresses are tried in order,
// each with its share of the remaining time; for "tcp" with both IPv4 and IPv6 addresses,
// Happy Eyeballs races the two families with Go's 300 ms head start.
import Synchronization
import Syscall

/// Options for connecting: Go's `net.Dialer`.
///
/// ```swift
/// var d = Dialer()
/// d.timeout = .seconds(5)
/// d.localAddr = TCPAddr(ip: IP.v4(127, 0, 0, 1))
/// let conn = try await d.dial("tcp", "localhost:8080")
/// ```
public struct Dialer: Sendable {
    /// The whole dial's budget, name lookup included: nil or zero is none; a negative value
    /// fails at once with `i/o timeout`, as in Go.
    public var timeout: Duration?
    /// An absolute cut-off; the earlier of this and `timeout` wins.
    public var deadline: ContinuousClock.Instant?
    /// The local address to bind before connecting; its type must suit the network.
    public var localAddr: (any Addr)?
    /// How long the IPv4/IPv6 fallback waits for the first family: nil or zero is Go's 300 ms;
    /// negative turns Happy Eyeballs off. Only for network "tcp".
    public var fallbackDelay: Duration?
    /// Keep-alive period for TCP: nil or zero is Go's 15 s; negative turns it off.
    public var keepAlive: Duration?
    /// Called after socket(2) and before bind/connect: Go's `Control`.
    public var control: ControlHook?

    public init(timeout: Duration? = nil, deadline: ContinuousClock.Instant? = nil, localAddr: (any Addr)? = nil,
                fallbackDelay: Duration? = nil, keepAlive: Duration? = nil, control: ControlHook? = nil) {
        self.timeout = timeout
        self.deadline = deadline
        self.localAddr = localAddr
        self.fallbackDelay = fallbackDelay
        self.keepAlive = keepAlive
        self.control = control
    }

    /// Go's Dialer.deadline: the earliest of now+timeout and `deadline`.
    func effectiveDeadline(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        if let timeout, timeout != .zero { earliest = now + timeout }
        if let deadline { earliest = earliest.map { min($0, deadline) } ?? deadline }
        return earliest
    }

    /// Connects to `address` on `network`: Go's `Dialer.Dial`.
    ///
    /// Networks: tcp, tcp4, tcp6, udp, udp4, udp6, ip:PROTO (ip4:, ip6:), unix, unixgram,
    /// unixpacket. TCP addresses are "host:port" (a name or a literal, `[::1]:80` for IPv6);
    /// unix addresses are paths or `@abstract` names. Cancelling the task cancels the dial:
    /// `dial tcp 10.0.0.1:80: operation was canceled`.
    public func dial(_ network: String, _ address: String) async throws(OpError) -> any Conn {
        let deadline = effectiveDeadline(.now)
        let lookupHost = hostNeedingLookup(network, address)
        let addrs: AddrList
        do {
            if lookupHost == nil {
                // Nothing to look up (a unix path, an IP literal): Go never consults the deadline
                // here, so an expired one is reported by dialSerial, with the address.
                addrs = try await resolveAddrList("dial", network, address, hint: localAddr)
            } else {
                addrs = try await withDialDeadline(deadline) {
                    try await resolveAddrList("dial", network, address, hint: localAddr)
                }
            }
        } catch {
            var underlying: any Error = error
            if let host = lookupHost, error is DialTimeoutError || error is CancellationError {
                // Go reports a lookup cut short as a DNSError: `dial tcp: lookup NAME: i/o timeout`
                // or `...: operation was canceled`.
                underlying = DNSError(err: errorText(error), name: host, isTimeout: error is DialTimeoutError)
            }
            throw OpError(op: "dial", net: network, underlying: underlying)
        }
        let attempt = SysDialer(dialer: self, network: network, address: address)
        if network == "tcp" && (fallbackDelay ?? .zero) >= .zero {
            let (primaries, fallbacks) = addrs.partition(isIPv4)
            if !fallbacks.isEmpty {
                return try await attempt.dialParallel(primaries, fallbacks, deadline)
            }
        }
        return try await attempt.dialSerial(addrs, deadline)
    }
}

/// The host name a dial must look up, or nil when there is none: a unix address, an IP
/// literal, an empty host, or an address that does not parse (resolveAddrList reports that).
func hostNeedingLookup(_ network: String, _ address: String) -> String? {
    guard let afnet = try? parseNetwork(network, needsProto: true).afnet, unixSocketType(afnet) == nil else { return nil }
    let host = afnet.hasPrefix("ip") ? address : ((try? splitHostPort(address))?.host ?? "")
    return host.isEmpty || parseIPZone(host).ip != nil ? nil : host
}

/// Connects with the default options: Go's `net.Dial`.
///
/// ```swift
/// let conn = try await Net.dial("unix", "/tmp/echo.sock")
/// let web = try await Net.dial("tcp", "127.0.0.1:8080")
/// ```
///
/// Errors print as Go's do: `dial unix /no/such.sock: connect: no such file or directory`.
public func dial(_ network: String, _ address: String) async throws(OpError) -> any Conn {
    try await Dialer().dial(network, address)
}

/// Connects, giving up after `timeout`: Go's `net.DialTimeout`. A negative timeout fails at
/// once with `i/o timeout`; zero means no timeout, as in Go (`DialTimeout(…, 0)` is `Dial`).
///
/// ```swift
/// let conn = try await Net.dialTimeout("tcp", "127.0.0.1:8080", .seconds(2))
/// ```
public func dialTimeout(_ network: String, _ address: String, _ timeout: Duration) async throws(OpError) -> any Conn {
    var d = Dialer()
    d.timeout = timeout
    return try await d.dial(network, address)
}

/// One dial's state: Go's sysDialer.
struct SysDialer: Sendable {
    let dialer: Dialer
    let network: String
    let address: String

    /// Go's dialSerial: each address in turn, each with its share of the time left; the first
    /// error is the one returned.
    func dialSerial(_ addrs: AddrList, _ deadline: ContinuousClock.Instant?) async throws(OpError) -> any Conn {
        var firstError: OpError?
        for (i, ra) in addrs.enumerated() {
            if Task.isCancelled {
                throw OpError(op: "dial", net: network, source: dialer.localAddr, addr: ra, underlying: CancellationError())
            }
            var attemptDeadline = deadline
            if let deadline {
                guard let partial = partialDeadline(.now, deadline, addrsRemaining: addrs.count - i) else {
                    firstError = firstError ?? OpError(op: "dial", net: network, source: dialer.localAddr, addr: ra, underlying: DialTimeoutError())
                    break
                }
                attemptDeadline = min(partial, deadline)
            }
            do {
                return try await dialSingle(ra, attemptDeadline)
            } catch {
                firstError = firstError ?? error
            }
        }
        throw firstError ?? OpError(op: "dial", net: network, underlying: NetErrorText.missingAddress)
    }

    /// Go's dialSingle: one address, by its type.
    func dialSingle(_ ra: any SocketAddress, _ deadline: ContinuousClock.Instant?) async throws(OpError) -> any Conn {
        do {
            switch ra {
            case let ra as TCPAddr:
                return try await dialTCP(dialer.localAddr as? TCPAddr, ra, deadline)
            case let ra as UDPAddr:
                let fd = try await internetSocket(network, laddr: dialer.localAddr as? UDPAddr, raddr: ra, sotype: Syscall.SOCK_DGRAM,
                                                  proto: 0, mode: "dial", deadline: deadline, control: dialer.control)
                return UDPConn(fd)
            case let ra as IPAddr:
                // The fd's network is the family part ("ip4"), as in Go: it picks the address
                // family, and the control hook and the conn's errors show it.
                let (afnet, proto) = try parseNetwork(network, needsProto: true)
                let fd = try await internetSocket(afnet, laddr: dialer.localAddr as? IPAddr, raddr: ra, sotype: Syscall.SOCK_RAW,
                                                  proto: proto, mode: "dial", deadline: deadline, control: dialer.control)
                return IPConn(fd)
            case let ra as UnixAddr:
                let fd = try await unixSocket(network, laddr: dialer.localAddr as? UnixAddr, raddr: ra, mode: "dial",
                                              deadline: deadline, control: dialer.control)
                return UnixConn(fd)
            default:
                throw AddrError(err: "unexpected address type", addr: address)
            }
        } catch {
            throw OpError(op: "dial", net: network, source: dialer.localAddr, addr: ra, underlying: error)
        }
    }

    /// Go's doDialTCP: with no local port, a connection that met itself (the kernel can pick the
    /// destination port as the source port on loopback) is closed and retried, up to twice.
    private func dialTCP(_ laddr: TCPAddr?, _ raddr: TCPAddr, _ deadline: ContinuousClock.Instant?) async throws -> TCPConn {
        var tries = 0
        while true {
            let fd = try await internetSocket(network, laddr: laddr, raddr: raddr, sotype: Syscall.SOCK_STREAM,
                                              proto: 0, mode: "dial", deadline: deadline, control: dialer.control)
            if tries < 2 && (laddr == nil || laddr!.port == 0) && isSelfConnect(fd) {
                try? fd.close()
                tries += 1
                continue
            }
            return TCPConn(fd, keepAlive: dialer.keepAlive)
        }
    }

    private func isSelfConnect(_ fd: NetFD) -> Bool {
        guard let l = fd.laddr as? TCPAddr, let r = fd.raddr as? TCPAddr else { return true }
        return l.port == r.port && l.ip == r.ip
    }

    /// Go's dialParallel (Happy Eyeballs, RFC 6555): the primary family starts now; the other
    /// after the fallback delay, or at once if the primary fails first. The first connection
    /// wins and the other is closed; if both fail, the primary's error is returned.
    func dialParallel(_ primaries: AddrList, _ fallbacks: AddrList, _ deadline: ContinuousClock.Instant?) async throws(OpError) -> any Conn {
        let delay = (dialer.fallbackDelay ?? .zero) == .zero ? Duration.milliseconds(300) : dialer.fallbackDelay!
        let primaryFailed = Signal()
        let outcome: Result<any Conn, OpError> = await withTaskGroup(of: (primary: Bool, result: Result<any Conn, OpError>).self) { group in
            group.addTask {
                let r = await dialResult(primaries, deadline)
                if case .failure = r { primaryFailed.fire() }
                return (true, r)
            }
            group.addTask {
                await primaryFailed.wait(atMost: delay)
                if Task.isCancelled {
                    return (false, .failure(OpError(op: "dial", net: network, underlying: CancellationError())))
                }
                return (false, await dialResult(fallbacks, deadline))
            }
            var winner: (any Conn)?
            var primaryError: OpError?
            var fallbackError: OpError?
            for await (primary, result) in group {
                switch result {
                case .success(let conn):
                    if winner == nil {
                        winner = conn
                        group.cancelAll()
                    } else {
                        try? conn.close()
                    }
                case .failure(let error):
                    if primary { primaryError = error } else { fallbackError = error }
                }
            }
            if let winner { return .success(winner) }
            return .failure(primaryError ?? fallbackError!)
        }
        return try outcome.get()
    }

    private func dialResult(_ addrs: AddrList, _ deadline: ContinuousClock.Instant?) async -> Result<any Conn, OpError> {
        do {
            return .success(try await dialSerial(addrs, deadline))
        } catch {
            return .failure(error)
        }
    }
}

/// Go's partialDeadline: the share of the time left for one of `addrsRemaining` addresses,
/// at least 2 s (Go's saneMinimum) but never past the whole deadline; nil when no time is left.
func partialDeadline(
    _ now: ContinuousClock.Instant, _ deadline: ContinuousClock.Instant, addrsRemaining: Int
) -> ContinuousClock.Instant? {
    let timeRemaining = now.duration(to: deadline)
    if timeRemaining <= .zero { return nil }
    var timeout = timeRemaining / addrsRemaining
    let saneMinimum = Duration.seconds(2)
    if timeout < saneMinimum {
        timeout = timeRemaining < saneMinimum ? timeRemaining : saneMinimum
    }
    return now + timeout
}

/// Runs `body`, failing with Go's `i/o timeout` if `deadline` passes first. Used for name
/// lookup, which the poller's deadlines do not cover.
func withDialDeadline<R: Sendable>(
    _ deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable () async throws -> R
) async throws -> R {
    guard let deadline else { return try await body() }
    if deadline <= .now { throw DialTimeoutError() }
    return try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DialTimeoutError() }
        return value
    }
}

/// A one-shot event a task can wait for, with a time limit: the primary racer's failure
/// starting the fallback racer early.
final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { s -> [UnsafeContinuation<Void, Never>] in
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    /// Returns when fired, after `limit`, or when the task is cancelled, whichever is first.
    func wait(atMost limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: limit) }
            group.addTask { await self.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    private func wait() async {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.fired || Task.isCancelled { return true }
                    s.waiters.append(c)
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            self.fire()
        }
    }
}
