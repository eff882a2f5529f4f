// Shared helpers for the dial, listen, error-string, unix-file and fd-adoption suites
// (DialTests, DialerTests, ListenTests, ErrorStringTests, UnixFileTests, FileAdoptionTests).
// Everything sits in the `NetTestHelpers` namespace so other suites of this target can have
// helpers of their own without clashing names.
import Glibc
@testable import Net
import NetPoll
import Syscall
import Testing
import TestSupport

enum NetTestHelpers {
    // MARK: expected failures

    /// The error of a dial that is expected to fail; a connection it made anyway is closed.
    static func dialFailure(_ network: String, _ address: String, with dialer: Dialer = Dialer()) async -> OpError? {
        do {
            let conn = try await withTimeLimit(.seconds(10), "dial \(network) \(address)") {
                try await dialer.dial(network, address)
            }
            try? conn.close()
            return nil
        } catch let error as OpError {
            return error
        } catch {
            Issue.record("dial \(network) \(address): not an OpError: \(error)")
            return nil
        }
    }

    /// The error of a listen that is expected to fail; a listener it made anyway is closed
    /// (without unlinking a socket file, which the test may still want to inspect).
    static func listenFailure(_ network: String, _ address: String, with config: ListenConfig = ListenConfig()) async -> OpError? {
        do {
            let ln = try await config.listen(network, address)
            (ln as? UnixListener)?.setUnlinkOnClose(false)
            try? ln.close()
            return nil
        } catch {
            return error
        }
    }

    /// The error of a listenPacket that is expected to fail.
    static func listenPacketFailure(_ network: String, _ address: String, with config: ListenConfig = ListenConfig()) async -> OpError? {
        do {
            let pc = try await config.listenPacket(network, address)
            try? pc.close()
            return nil
        } catch {
            return error
        }
    }

    // MARK: addresses and ports

    /// The port of a TCP or UDP address.
    static func port(_ addr: (any Addr)?) -> Int {
        switch addr {
        case let a as TCPAddr: return a.port
        case let a as UDPAddr: return a.port
        default:
            Issue.record("no port in \(String(describing: addr))")
            return -1
        }
    }

    /// A TCP listener on 127.0.0.1 at a port below the kernel's ephemeral range
    /// (/proc/sys/net/ipv4/ip_local_port_range), where no dial's automatic local port can land:
    /// a test that closes it and listens on the port again cannot find it taken by another
    /// test's connection meanwhile. Falls back to port 0 if the range starts too low.
    static func listenOutsideEphemeralRange() async throws -> any Listener {
        let range = (readTextFile("/proc/sys/net/ipv4/ip_local_port_range") ?? "").split(whereSeparator: \.isWhitespace)
        let low = range.first.flatMap { Int($0) } ?? 32768
        if low > 11000 {
            for _ in 0..<64 {
                let candidate = Int.random(in: 10000..<low)
                if let ln = try? await Net.listen("tcp", "127.0.0.1:\(candidate)") { return ln }
            }
        }
        return try await Net.listen("tcp", "127.0.0.1:0")
    }

    /// A TCP port nobody listens on right now: listen on port 0 and close. (Another process
    /// could take it in between; on a test machine that does not happen in practice.)
    static func closedTCPPort(_ host: String = "127.0.0.1", network: String = "tcp") async throws -> Int {
        let ln = try await Net.listen(network, host.contains(":") ? "[\(host)]:0" : "\(host):0")
        let p = port(ln.addr)
        try ln.close()
        return p
    }

    // MARK: descriptor inspection

    /// An integer socket option, read through the socket's RawConn.
    static func sockopt(_ raw: RawConn, _ level: Int32, _ option: Int32) throws -> Int {
        var value = -1
        try raw.control { fd in value = try Syscall.getsockoptInt(fd, level, option) }
        return value
    }

    /// Whether the socket's fd has FD_CLOEXEC and O_NONBLOCK.
    static func flags(_ raw: RawConn) throws -> (cloexec: Bool, nonblock: Bool) {
        var result = (cloexec: false, nonblock: false)
        try raw.control { fd in
            result = (try Syscall.isCloseOnExec(fd), try Syscall.isNonblock(fd))
        }
        return result
    }

    /// The RawConn of any Net conn or listener made by these tests.
    static func raw(_ object: Any) -> RawConn? {
        switch object {
        case let c as SocketConn: return c.syscallConn()
        case let l as TCPListener: return l.syscallConn()
        case let l as UnixListener: return l.syscallConn()
        default: return nil
        }
    }

    // MARK: connections

    /// A listener on `address`, a client dialed to it and the server's side of that client.
    /// The caller closes all three.
    static func tcpTrio(
        listen address: String = "127.0.0.1:0", dialer: Dialer = Dialer(), config: ListenConfig = ListenConfig()
    ) async throws -> (ln: TCPListener, client: TCPConn, server: TCPConn) {
        let ln = try await config.listen("tcp", address) as! TCPListener
        do {
            let target = "127.0.0.1:\(port(ln.addr))"
            let client = try await withTimeLimit(.seconds(10), "dial \(target)") { try await dialer.dial("tcp", target) }
            do {
                let server = try await withTimeLimit(.seconds(10), "accept") { try await ln.acceptTCP() }
                return (ln, client as! TCPConn, server)
            } catch {
                try? client.close()
                throw error
            }
        } catch {
            try? ln.close()
            throw error
        }
    }

    /// Sends `bytes` from `a` and reads them back in full on `b`, within a time limit.
    static func roundTrip(_ a: any Conn, _ b: any Conn, _ bytes: [UInt8] = Array("ping".utf8)) async throws -> [UInt8] {
        try await withTimeLimit(.seconds(10), "round trip") {
            try await a.write(bytes)
            var got: [UInt8] = []
            while got.count < bytes.count {
                let chunk = try await b.read(upTo: bytes.count - got.count)
                if chunk.isEmpty { break }
                got += chunk
            }
            return got
        }
    }

    // MARK: files

    /// Creates a regular file holding `content`.
    static func makeRegularFile(_ path: String, _ content: String = "not a socket\n") throws {
        let fd = try Syscall.open(path, Syscall.O_WRONLY | Syscall.O_CREAT | Syscall.O_TRUNC | Syscall.O_CLOEXEC, 0o644)
        defer { try? Syscall.close(fd) }
        _ = try Syscall.write(fd, Array(content.utf8))
    }

    /// The whole content of a small file.
    static func readFile(_ path: String) throws -> String {
        let fd = try Syscall.open(path, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0)
        defer { try? Syscall.close(fd) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = try Syscall.read(fd, &buf)
        return String(decoding: buf[..<n], as: UTF8.self)
    }

    /// Leaves a stale socket file at `path`: a socket bound there and closed, as a crashed
    /// server leaves it. Connecting to it is refused.
    static func makeStaleSocket(_ path: String, type: Int32 = Syscall.SOCK_STREAM) throws {
        let s = try Syscall.socket(Syscall.AF_UNIX, type | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(s) }
        try Syscall.bind(s, SockaddrUnix(name: path))
    }

    /// Whether anything exists at `path` (lstat succeeds).
    static func exists(_ path: String) -> Bool { (try? Syscall.lstat(path)) != nil }

    /// A name of exactly `length` bytes inside `dir`, for sun_path limits.
    static func pathOfLength(_ length: Int, in dir: TemporaryDirectory) -> String {
        let prefix = dir.root + "/"
        return prefix + String(repeating: "a", count: length - prefix.utf8.count)
    }

    /// A fresh abstract name no other test uses.
    static func uniqueAbstractName(_ tag: String) -> String {
        "@swiftnet-test-\(tag)-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
    }

    // MARK: raw sockets (made with Syscall, outside Net)

    /// A blocking-free, close-on-exec listening TCP socket on 127.0.0.1 with the given
    /// backlog, made with Syscall so the test controls listen(2). Returns the fd and its port.
    static func rawTCPListener(backlog: Int) throws -> (fd: Int32, port: Int) {
        let s = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        do {
            try Syscall.bind(s, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
            try Syscall.listen(s, backlog)
            guard let sa = try Syscall.getsockname(s) as? SockaddrInet4 else { throw Errno.EAFNOSUPPORT }
            return (s, sa.port)
        } catch {
            try? Syscall.close(s)
            throw error
        }
    }

    /// Whether IPv6 works on loopback (Net's own probe: an IPv6-only socket binds ::1).
    static var hasIPv6: Bool { IPStackCapabilities.current.ipv6Enabled }

    /// Whether this process runs as root (raw sockets work; file modes do not restrict it).
    static let isRoot: Bool = getuid() == 0

    /// Whether "localhost" resolves to both 127.0.0.1 and ::1 here (getaddrinfo, like Net).
    static let localhostIsDualStack: Bool = {
        var hints = addrinfo()
        hints.ai_family = Glibc.AF_UNSPEC
        hints.ai_socktype = Int32(Glibc.SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo("localhost", nil, &hints, &list) == 0 else { return false }
        defer { freeaddrinfo(list) }
        var v4 = false, v6 = false
        var next = list
        while let ai = next {
            next = ai.pointee.ai_next
            if ai.pointee.ai_family == Glibc.AF_INET { v4 = true }
            if ai.pointee.ai_family == Glibc.AF_INET6 {
                let sin6 = UnsafeRawPointer(ai.pointee.ai_addr!).loadUnaligned(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
                if bytes == IP.ipv6loopback.bytes { v6 = true }
            }
        }
        return v4 && v6
    }()
}
