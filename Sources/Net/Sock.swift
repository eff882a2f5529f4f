// Making a socket for Net: Go's sock_posix.go. One constructor serves every family and type:
// socket(2) with SOCK_NONBLOCK|SOCK_CLOEXEC, Go's default options, registration with a poller,
// then either listen (stream), bind (datagram listener) or bind-and-connect (dial).
import NetPoll
import Syscall

/// The hook Dialer and ListenConfig call after socket(2) and before bind or connect: Go's
/// `Control func(network, address string, c syscall.RawConn) error`. `network` is concrete
/// ("tcp4", "tcp6", "unix"...), `address` the remote address for a dial, the local for a listen.
public typealias ControlHook = @Sendable (_ network: String, _ address: String, _ conn: RawConn) throws -> Void

/// Creates, configures and binds or connects a socket. On any failure the fd is closed.
func socket(
    net: String, family: Int32, sotype: Int32, proto: Int32, ipv6only: Bool,
    laddr: (any SocketAddress)?, raddr: (any SocketAddress)?,
    deadline: ContinuousClock.Instant? = nil, control: ControlHook? = nil
) async throws -> NetFD {
    let s: Int32
    do {
        s = try Syscall.socket(family, sotype | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, proto)
    } catch {
        throw SyscallError("socket", error)
    }
    let fd: NetFD
    do {
        try setDefaultSockopts(s, family: family, sotype: sotype, ipv6only: ipv6only)
        let stream = streamKind(family: family, sotype: sotype, proto: proto)
        fd = NetFD(try registered(s, stream: stream), family: family, sotype: sotype, net: net)
    } catch {
        try? Syscall.close(s)
        throw error
    }
    do {
        if let laddr, raddr == nil {
            switch sotype {
            case Syscall.SOCK_STREAM, Syscall.SOCK_SEQPACKET:
                try fd.listenStream(laddr, backlog: listenerBacklog, control: control)
                return fd
            case Syscall.SOCK_DGRAM:
                try fd.listenDatagram(laddr, control: control)
                return fd
            default:
                break
            }
        }
        try await fd.dial(laddr: laddr, raddr: raddr, deadline: deadline, control: control)
        return fd
    } catch {
        try? fd.close()
        throw error
    }
}

/// Registers a new fd with a poller: the next in turn, or for a connection `listener` accepted,
/// the one Placement picks (usually the listener's own). `stream` tells NetPoll what a short
/// read says about the queue. The error names epoll_ctl, the call that failed.
func registered(_ fd: Int32, stream: StreamKind, acceptedBy listener: PollFD? = nil) throws -> PollFD {
    do throws(PollError) {
        guard let listener else { return try PollFD(fd, stream: stream) }
        return try PollFD(fd, poller: PollerGroup.poller(forConnectionAcceptedBy: listener.poller), stream: stream)
    } catch {
        throw NetFD.wrap(error, "epollctl")
    }
}

/// Which byte stream a socket is, so NetPoll knows what a short read says about its queue. An
/// IP stream is TCP only with protocol 0 or IPPROTO_TCP: an adopted SCTP or MPTCP socket is
/// `.other`, as its reads may stop short for other reasons.
func streamKind(family: Int32, sotype: Int32, proto: Int32) -> StreamKind {
    guard sotype == Syscall.SOCK_STREAM else { return .other }
    switch family {
    case Syscall.AF_INET, Syscall.AF_INET6: return proto == 0 || proto == Syscall.IPPROTO_TCP ? .tcp : .other
    case Syscall.AF_UNIX: return .unix
    default: return .other
    }
}

/// Go's setDefaultSockopts: IPV6_V6ONLY set explicitly either way (so "tcp" is dual-stack
/// whatever the system default), and SO_BROADCAST on UDP and raw IP sockets.
private func setDefaultSockopts(_ s: Int32, family: Int32, sotype: Int32, ipv6only: Bool) throws {
    if family == Syscall.AF_INET6 && sotype != Syscall.SOCK_RAW {
        try? Syscall.setsockoptInt(s, Syscall.IPPROTO_IPV6, Syscall.IPV6_V6ONLY, ipv6only ? 1 : 0)
    }
    if (sotype == Syscall.SOCK_DGRAM || sotype == Syscall.SOCK_RAW) && family != Syscall.AF_UNIX {
        do {
            try Syscall.setsockoptInt(s, Syscall.SOL_SOCKET, Syscall.SO_BROADCAST, 1)
        } catch {
            throw SyscallError("setsockopt", error)
        }
    }
}

/// The listen(2) backlog: /proc/sys/net/core/somaxconn, read once; 128 (SOMAXCONN) if it
/// cannot be read, as in Go.
let listenerBacklog: Int = {
    guard let text = readTextFile("/proc/sys/net/core/somaxconn") else { return 128 }
    let digits = text.prefix { $0 >= "0" && $0 <= "9" }
    guard let value = Int(digits), value > 0 else { return 128 }
    return value
}()

extension NetFD {
    /// The network name a control hook sees: Go's ctrlNetwork ("tcp" becomes "tcp4" or "tcp6").
    var controlNetwork: String {
        if net.hasPrefix("unix") { return net }
        if net.hasSuffix("4") || net.hasSuffix("6") { return net }
        return net + (family == Syscall.AF_INET ? "4" : "6")
    }

    private func runControl(_ control: ControlHook?, _ address: String) throws {
        guard let control else { return }
        try control(controlNetwork, address, RawConn(self))
    }

    private func sysfd<R>(_ body: (Int32) throws(Errno) -> R, _ name: String) throws -> R {
        do { return try pfd.withFD(body) } catch { throw NetFD.wrap(error, name) }
    }

    /// The local address the kernel reports, as a Net address.
    func localSockaddr() -> (any Addr)? {
        netAddr(try? pfd.withFD { (fd) throws(Errno) in try Syscall.getsockname(fd) }, sotype: sotype)
    }

    /// Go's listenStream: SO_REUSEADDR, control, bind, listen, then read back the address.
    func listenStream(_ laddr: any SocketAddress, backlog: Int, control: ControlHook?) throws {
        try sysfd({ (fd) throws(Errno) in try Syscall.setsockoptInt(fd, Syscall.SOL_SOCKET, Syscall.SO_REUSEADDR, 1) }, "setsockopt")
        guard let lsa = try laddr.sockaddr(family) else { throw NetErrorText.missingAddress }
        try runControl(control, laddr.description)
        try sysfd({ (fd) throws(Errno) in try Syscall.bind(fd, lsa) }, "bind")
        try sysfd({ (fd) throws(Errno) in try Syscall.listen(fd, backlog) }, "listen")
        setAddr(local: localSockaddr(), remote: nil)
    }

    /// Go's listenDatagram: a multicast UDP address binds the wildcard with SO_REUSEADDR.
    func listenDatagram(_ laddr: any SocketAddress, control: ControlHook?) throws {
        var laddr = laddr
        if var udp = laddr as? UDPAddr, let ip = udp.ip, ip.isMulticast {
            try sysfd({ (fd) throws(Errno) in try Syscall.setsockoptInt(fd, Syscall.SOL_SOCKET, Syscall.SO_REUSEADDR, 1) }, "setsockopt")
            udp.ip = family == Syscall.AF_INET ? IP.ipv4zero : IP.ipv6unspecified
            laddr = udp
        }
        guard let lsa = try laddr.sockaddr(family) else { throw NetErrorText.missingAddress }
        try runControl(control, laddr.description)
        try sysfd({ (fd) throws(Errno) in try Syscall.bind(fd, lsa) }, "bind")
        setAddr(local: localSockaddr(), remote: nil)
    }

    /// Go's netFD.dial: control, bind laddr if any, connect raddr if any (waiting at most until
    /// `deadline`), then record both addresses.
    func dial(laddr: (any SocketAddress)?, raddr: (any SocketAddress)?, deadline: ContinuousClock.Instant?, control: ControlHook?) async throws {
        try runControl(control, raddr?.description ?? laddr?.description ?? "")
        if let laddr, let lsa = try laddr.sockaddr(family) {
            try sysfd({ (fd) throws(Errno) in try Syscall.bind(fd, lsa) }, "bind")
        }
        var remote: (any Addr)? = raddr
        if let raddr, let rsa = try raddr.sockaddr(family) {
            if let deadline {
                try setDeadline(deadline, .write)
            }
            do {
                try await pfd.connect(rsa)
            } catch .timeout {
                // The dial's own deadline, not an I/O deadline: Go's errTimeout.
                throw DialTimeoutError()
            } catch {
                throw NetFD.wrap(error, "connect")
            }
            if deadline != nil { try setDeadline(nil, .write) }
            isConnected = true
            remote = netAddr(try? pfd.withFD { (fd) throws(Errno) in try Syscall.getpeername(fd) }, sotype: sotype) ?? raddr
        }
        setAddr(local: localSockaddr(), remote: remote)
    }
}
