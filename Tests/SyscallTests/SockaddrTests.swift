// Sockaddr encoding: raw() with its exact length and byte order, rejection of what cannot be
// encoded, anyToSockaddr's round trip and errors, and the description formats.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct SockaddrTests {
    /// The bytes of a raw address, `length` of them.
    private func rawBytes(_ raw: RawSockaddrAny) -> [UInt8] {
        raw.withUnsafeBytes { p, len in Array(UnsafeRawBufferPointer(start: p, count: Int(len))) }
    }

    @Test func inet4RawLayout() throws {
        let raw = try SockaddrInet4(port: 8080, addr: [10, 1, 2, 3]).raw()
        #expect(raw.length == 16)
        #expect(raw.family == AF_INET)
        let b = rawBytes(raw)
        #expect(Array(b[0..<2]) == [UInt8(AF_INET), 0], "family, little-endian")
        #expect(Array(b[2..<4]) == [0x1f, 0x90], "port 8080 in network order")
        #expect(Array(b[4..<8]) == [10, 1, 2, 3])
        #expect(b[8...].allSatisfy { $0 == 0 })
    }

    @Test func inet6RawLayout() throws {
        var addr = [UInt8](repeating: 0, count: 16)
        addr[0] = 0xfe
        addr[1] = 0x80
        addr[15] = 7
        let raw = try SockaddrInet6(port: 443, zoneId: 3, addr: addr).raw()
        #expect(raw.length == 28)
        #expect(raw.family == AF_INET6)
        let b = rawBytes(raw)
        #expect(Array(b[2..<4]) == [0x01, 0xbb], "port 443 in network order")
        #expect(Array(b[4..<8]) == [0, 0, 0, 0], "flowinfo")
        #expect(Array(b[8..<24]) == addr)
        #expect(Array(b[24..<28]) == [3, 0, 0, 0], "scope id")
    }

    @Test func unixRawLengthIsExact() throws {
        let path = try SockaddrUnix(name: "/tmp/x.sock").raw()
        #expect(path.length == UInt32(2 + 11 + 1), "family, path, NUL")
        #expect(rawBytes(path)[2...] == ArraySlice(bytes("/tmp/x.sock") + [0]))
        let abstract = try SockaddrUnix(name: "@svc").raw()
        #expect(abstract.length == UInt32(2 + 4), "family, NUL, name: no trailing NUL")
        #expect(Array(rawBytes(abstract)[2...]) == [0] + bytes("svc"))
        let empty = try SockaddrUnix(name: "").raw()
        #expect(empty.length == 2, "autobind")
    }

    @Test(arguments: [-1, 65536, 1 << 40, Int.min])
    func inetPortOutOfRangeIsEINVAL(_ port: Int) throws {
        #expect(throws: Errno.EINVAL) { try SockaddrInet4(port: port, addr: [127, 0, 0, 1]).raw() }
        #expect(throws: Errno.EINVAL) { try SockaddrInet6(port: port, addr: loopback6).raw() }
        let fd = try boundedSocket(AF_INET, SOCK_DGRAM)
        defer { closeAll(fd) }
        #expect(throws: Errno.EINVAL) { try Syscall.bind(fd, SockaddrInet4(port: port, addr: [127, 0, 0, 1])) }
        #expect(throws: Errno.EINVAL) { try Syscall.sendto(fd, [1], 0, SockaddrInet4(port: port, addr: [127, 0, 0, 1])) }
    }

    @Test func inetPortLimitsAreAccepted() throws {
        #expect(try SockaddrInet4(port: 0).raw().length == 16)
        #expect(try SockaddrInet4(port: 65535).raw().length == 16)
        #expect(try SockaddrInet6(port: 65535).raw().length == 28)
    }

    @Test(arguments: [0, 3, 5, 16])
    func inet4WrongByteCountIsEINVAL(_ count: Int) {
        #expect(throws: Errno.EINVAL) { try SockaddrInet4(port: 1, addr: [UInt8](repeating: 1, count: count)).raw() }
    }

    @Test(arguments: [0, 4, 15, 17])
    func inet6WrongByteCountIsEINVAL(_ count: Int) {
        #expect(throws: Errno.EINVAL) { try SockaddrInet6(port: 1, addr: [UInt8](repeating: 1, count: count)).raw() }
    }

    @Test func roundTripThroughRaw() throws {
        let v4 = SockaddrInet4(port: 65535, addr: [192, 0, 2, 1])
        #expect(try anyToSockaddr(v4.raw()) as? SockaddrInet4 == v4)
        var addr = [UInt8](repeating: 0, count: 16)
        addr[0] = 0x20
        addr[1] = 0x01
        addr[15] = 0x42
        let v6 = SockaddrInet6(port: 1, zoneId: 9, addr: addr)
        #expect(try anyToSockaddr(v6.raw()) as? SockaddrInet6 == v6)
        for name in ["/tmp/a.sock", "@abstract", "@", "relative.sock"] {
            #expect(try anyToSockaddr(SockaddrUnix(name: name).raw()) as? SockaddrUnix == SockaddrUnix(name: name))
        }
    }

    @Test func anyToSockaddrOfUnspecifiedFamilyIsEAFNOSUPPORT() {
        let empty = RawSockaddrAny()
        #expect(empty.family == AF_UNSPEC)
        #expect(throws: Errno.EAFNOSUPPORT) { try anyToSockaddr(empty) }
    }

    @Test func anyToSockaddrOfUnknownFamilyIsEAFNOSUPPORT() {
        var raw = RawSockaddrAny()
        raw.withUnsafeMutableBytes { p, len in
            p.storeBytes(of: UInt16(16), as: UInt16.self)  // AF_NETLINK
            len.pointee = 12
        }
        #expect(raw.family == 16)
        #expect(throws: Errno.EAFNOSUPPORT) { try anyToSockaddr(raw) }
    }

    @Test func anyToSockaddrOfATruncatedInetAddressIsEINVAL() throws {
        var v4 = try SockaddrInet4(port: 80, addr: [127, 0, 0, 1]).raw()
        v4.length = 8
        #expect(throws: Errno.EINVAL) { try anyToSockaddr(v4) }
        var v6 = try SockaddrInet6(port: 80).raw()
        v6.length = 24
        #expect(throws: Errno.EINVAL) { try anyToSockaddr(v6) }
    }

    @Test func getsocknameOfANetlinkSocketIsEAFNOSUPPORT() throws {
        // A real socket whose family Syscall has no Sockaddr for (AF_NETLINK, NETLINK_ROUTE).
        let fd = try Syscall.socket(16, SOCK_RAW | SOCK_CLOEXEC, 0)
        defer { closeAll(fd) }
        #expect(throws: Errno.EAFNOSUPPORT) { try Syscall.getsockname(fd) }
    }

    static let descriptions: [(any Sockaddr, String)] = [
        (SockaddrInet4(port: 80, addr: [127, 0, 0, 1]), "127.0.0.1:80"),
        (SockaddrInet4(port: 0), "0.0.0.0:0"),
        (SockaddrInet4(port: 65535, addr: [255, 255, 255, 255]), "255.255.255.255:65535"),
        (SockaddrInet6(port: 80, addr: loopback6), "[::1]:80"),
        (SockaddrInet6(port: 443, addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), "[2001:db8::1]:443"),
        (SockaddrInet6(port: 0), "[::]:0"),
        (SockaddrInet6(port: 1, addr: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), "[fe80::]:1"),
        // One zero group is not shortened; the first of two equal runs is (RFC 5952).
        (SockaddrInet6(port: 2, addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]), "[2001:db8:0:1:1:1:1:1]:2"),
        (SockaddrInet6(port: 3, addr: [0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]), "[2001::1:0:0:1:1]:3"),
        (SockaddrInet6(port: 4, addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xab]), "[2001:db8:0:1::ab]:4"),
        (SockaddrUnix(name: "/run/app.sock"), "/run/app.sock"),
        (SockaddrUnix(name: "@svc"), "@svc"),
    ]

    @Test(arguments: descriptions)
    func descriptionFormat(_ address: any Sockaddr, _ text: String) {
        #expect(address.description == text)
        #expect("\(address)" == text)
    }
}
