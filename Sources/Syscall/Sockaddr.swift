import Glibc

/// A socket address: Go's `syscall.Sockaddr`.
///
/// The concrete types are ``SockaddrInet4``, ``SockaddrInet6`` and ``SockaddrUnix``. Functions
/// that take an address (``bind(_:_:)``, ``connect(_:_:)``, ``sendto(_:_:_:_:)``) convert it to
/// its kernel form with ``raw()``; functions that return one (``accept(_:)``, ``getsockname(_:)``,
/// ``recvfrom(_:_:_:)``) build it with ``anyToSockaddr(_:)``.
///
/// ```swift
/// let fd = try Syscall.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
/// try Syscall.bind(fd, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
/// let bound = try Syscall.getsockname(fd) as! SockaddrInet4   // the kernel chose the port
/// ```
public protocol Sockaddr: Sendable, CustomStringConvertible {
    /// The address in the form the kernel takes, with its exact length. Throws `EINVAL` for an
    /// address that cannot be encoded (a port outside 0...65535, a unix path too long for `sun_path`).
    func raw() throws(Errno) -> RawSockaddrAny
}

/// A socket address in kernel form: a `sockaddr_storage` and the length that is in use.
///
/// Go's `syscall.RawSockaddrAny`. Large enough for every family; the `length` is what
/// `bind(2)`, `connect(2)` and `sendto(2)` are given, and what `accept(2)` and friends report.
public struct RawSockaddrAny: Sendable {
    var storage = sockaddr_storage()
    /// The number of bytes of the address in use.
    public var length: UInt32

    /// An empty address whose `length` is the whole capacity: ready to be filled by the kernel.
    public init() { length = UInt32(MemoryLayout<sockaddr_storage>.size) }

    /// The address family in the first two bytes (`AF_UNIX`, `AF_INET`, ...), or `AF_UNSPEC`
    /// when the kernel reported no address.
    public var family: Int32 {
        length < 2 ? AF_UNSPEC : Int32(storage.ss_family)
    }

    /// Calls `body` with a pointer to the address and its length.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawPointer, UInt32) throws(E) -> R) throws(E) -> R {
        var copy = storage
        return try Swift.withUnsafeBytes(of: &copy) { (raw) throws(E) -> R in
            try body(raw.baseAddress!, length)
        }
    }

    /// Calls `body` with a pointer the kernel may fill and a length in-out parameter.
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawPointer, UnsafeMutablePointer<UInt32>) throws(E) -> R
    ) throws(E) -> R {
        var len = length
        defer { length = len }
        return try Swift.withUnsafeMutableBytes(of: &storage) { (raw) throws(E) -> R in
            try body(raw.baseAddress!, &len)
        }
    }

    /// The largest address the kernel can return: the size of `sockaddr_storage`.
    public static var capacity: UInt32 { UInt32(MemoryLayout<sockaddr_storage>.size) }
}

/// Builds the typed address from a kernel address: Go's `anyToSockaddr`.
///
/// Throws `EAFNOSUPPORT` for a family other than `AF_INET`, `AF_INET6` and `AF_UNIX`, and
/// `EINVAL` for a length too short for its family.
public func anyToSockaddr(_ raw: RawSockaddrAny) throws(Errno) -> any Sockaddr {
    switch raw.family {
    case AF_INET: return try SockaddrInet4(raw)
    case AF_INET6: return try SockaddrInet6(raw)
    case AF_UNIX: return SockaddrUnix(raw)
    default: throw .EAFNOSUPPORT
    }
}

/// The sender a receive reported, or nil when the kernel gave none (TCP leaves the address
/// empty) or one of a family Syscall has no `Sockaddr` for. The empty case is checked first, so
/// a receive on a TCP socket does not throw and catch EAFNOSUPPORT on every message.
func senderAddress(_ raw: RawSockaddrAny) -> (any Sockaddr)? {
    raw.family == AF_UNSPEC ? nil : try? anyToSockaddr(raw)
}

/// An IPv4 socket address: Go's `syscall.SockaddrInet4`.
///
/// ```swift
/// let loopback = SockaddrInet4(port: 8080, addr: [127, 0, 0, 1])
/// print(loopback)   // 127.0.0.1:8080
/// ```
public struct SockaddrInet4: Sockaddr, Hashable {
    /// The port in host byte order, 0 to 65535.
    public var port: Int
    /// The four address bytes in network order (`[127, 0, 0, 1]`).
    public var addr: [UInt8]

    /// An IPv4 address; `addr` defaults to the unspecified address 0.0.0.0.
    public init(port: Int, addr: [UInt8] = [0, 0, 0, 0]) {
        self.port = port
        self.addr = addr
    }

    /// The IPv4 address in `raw`, which must be of family `AF_INET`; EINVAL if it is shorter
    /// than a `sockaddr_in`.
    ///
    /// ```swift
    /// var peer = RawSockaddrAny()
    /// _ = try Syscall.accept4(listener, SOCK_CLOEXEC, peer: &peer)
    /// if peer.family == AF_INET { print(try SockaddrInet4(peer)) }   // 127.0.0.1:50312
    /// ```
    public init(_ raw: RawSockaddrAny) throws(Errno) {
        guard raw.length >= UInt32(MemoryLayout<sockaddr_in>.size) else { throw .EINVAL }
        let sin = raw.withUnsafeBytes { p, _ in p.loadUnaligned(as: sockaddr_in.self) }
        port = Int(UInt16(bigEndian: sin.sin_port))
        addr = Swift.withUnsafeBytes(of: sin.sin_addr) { Array($0) }
    }

    public func raw() throws(Errno) -> RawSockaddrAny {
        guard (0...0xFFFF).contains(port), addr.count == 4 else { throw .EINVAL }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = UInt16(port).bigEndian
        Swift.withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: addr) }
        return RawSockaddrAny(copying: sin)
    }

    /// `a.b.c.d:port`.
    public var description: String {
        addr.map(String.init).joined(separator: ".") + ":\(port)"
    }
}

/// An IPv6 socket address: Go's `syscall.SockaddrInet6`.
///
/// `zoneId` is the scope: the interface index for a link-local address, 0 otherwise.
///
/// ```swift
/// let loopback = SockaddrInet6(port: 8080, addr: [0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,1])
/// print(loopback)   // [::1]:8080
/// ```
public struct SockaddrInet6: Sockaddr, Hashable {
    /// The port in host byte order, 0 to 65535.
    public var port: Int
    /// The scope id (`sin6_scope_id`).
    public var zoneId: UInt32
    /// The sixteen address bytes in network order.
    public var addr: [UInt8]

    /// An IPv6 address; `addr` defaults to the unspecified address `::`.
    public init(port: Int, zoneId: UInt32 = 0, addr: [UInt8] = [UInt8](repeating: 0, count: 16)) {
        self.port = port
        self.zoneId = zoneId
        self.addr = addr
    }

    /// The IPv6 address in `raw`, which must be of family `AF_INET6`; EINVAL if it is shorter
    /// than a `sockaddr_in6`.
    ///
    /// ```swift
    /// if peer.family == AF_INET6 { print(try SockaddrInet6(peer)) }   // [::1]:50312
    /// ```
    public init(_ raw: RawSockaddrAny) throws(Errno) {
        guard raw.length >= UInt32(MemoryLayout<sockaddr_in6>.size) else { throw .EINVAL }
        let sin6 = raw.withUnsafeBytes { p, _ in p.loadUnaligned(as: sockaddr_in6.self) }
        port = Int(UInt16(bigEndian: sin6.sin6_port))
        zoneId = sin6.sin6_scope_id
        addr = Swift.withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
    }

    public func raw() throws(Errno) -> RawSockaddrAny {
        guard (0...0xFFFF).contains(port), addr.count == 16 else { throw .EINVAL }
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = UInt16(port).bigEndian
        sin6.sin6_scope_id = zoneId
        Swift.withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: addr) }
        return RawSockaddrAny(copying: sin6)
    }

    /// `[hex:groups]:port`, with the longest run of zero groups written `::` (RFC 5952).
    public var description: String {
        var groups: [UInt16] = []
        for i in stride(from: 0, to: addr.count - 1, by: 2) {
            groups.append(UInt16(addr[i]) << 8 | UInt16(addr[i + 1]))
        }
        var best = (start: -1, count: 0)
        var run = (start: -1, count: 0)
        for (i, g) in groups.enumerated() {
            if g == 0 {
                if run.start < 0 { run = (i, 0) }
                run.count += 1
                if run.count > best.count { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = { (gs: ArraySlice<UInt16>) in gs.map { String($0, radix: 16) }.joined(separator: ":") }
        let text = best.count >= 2
            ? hex(groups[..<best.start]) + "::" + hex(groups[(best.start + best.count)...])
            : hex(groups[...])
        return "[\(text)]:\(port)"
    }
}

/// A unix domain socket address: Go's `syscall.SockaddrUnix`.
///
/// `name` is a filesystem path, or a Linux abstract name written with a leading `@`
/// (`"@myservice"`): the `@` becomes the NUL byte that marks the abstract namespace, and the
/// address has the name's exact length, with no terminating NUL, as Go and `socat`
/// (`ABSTRACT-CONNECT`) expect. The empty name binds to a kernel-chosen abstract name (autobind).
/// An unnamed peer reads back as `"@"`, as in Go.
///
/// A path must fit `sun_path` with its NUL (at most 107 bytes); an abstract name may use all
/// 108 bytes (`@` plus 107). Longer names throw `EINVAL` and are never truncated.
///
/// ```swift
/// try Syscall.bind(fd, SockaddrUnix(name: "/tmp/echo.sock"))
/// try Syscall.connect(fd2, SockaddrUnix(name: "@echo"))   // abstract: no file at all
/// ```
public struct SockaddrUnix: Sockaddr, Hashable {
    /// The path, or `@` followed by an abstract name.
    public var name: String

    /// A unix address for a path or an `@abstract` name.
    public init(name: String) { self.name = name }

    /// The unix address in `raw`, which must be of family `AF_UNIX`: a path, `@` and an
    /// abstract name, or `@` alone for an unnamed socket (a client that never bound, as most
    /// accepted peers are).
    ///
    /// ```swift
    /// if peer.family == AF_UNIX { print(SockaddrUnix(peer).name) }   // @
    /// ```
    public init(_ raw: RawSockaddrAny) {
        let pathLength = max(0, Int(raw.length) - 2)
        let bytes: [UInt8] = raw.withUnsafeBytes { p, _ in
            Array(UnsafeRawBufferPointer(start: p + 2, count: min(pathLength, sunPathMax)))
        }
        if bytes.first == 0 || bytes.isEmpty {
            // Abstract (or unnamed, which Go also prints as "@"): every byte counts.
            name = "@" + String(decoding: bytes.dropFirst(), as: UTF8.self)
        } else {
            // A path ends at its NUL; the kernel may or may not count the NUL in the length.
            name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    public func raw() throws(Errno) -> RawSockaddrAny {
        var path = Array(name.utf8)
        let abstract = path.first == UInt8(ascii: "@") || path.first == 0
        if abstract {
            path[0] = 0
            guard path.count <= sunPathMax else { throw .EINVAL }
        } else {
            guard path.count < sunPathMax else { throw .EINVAL }
        }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        Swift.withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: path) }
        var raw = RawSockaddrAny(copying: sun)
        // Exact length: family + name, plus the NUL for a path. Abstract names have none, and
        // an empty name (length 2) asks bind(2) to autobind.
        raw.length = UInt32(2 + path.count + (abstract || path.isEmpty ? 0 : 1))
        return raw
    }

    /// The name: a path, or `@` and an abstract name.
    public var description: String { name }
}

extension RawSockaddrAny {
    /// Copies a concrete `sockaddr_*` into storage, with its full size as the length.
    init<T>(copying address: T) {
        self.init()
        Swift.withUnsafeMutableBytes(of: &storage) { dst in
            Swift.withUnsafeBytes(of: address) { src in dst.copyMemory(from: src) }
        }
        length = UInt32(MemoryLayout<T>.size)
    }
}
