// The address types' Network() and String(), with the values of Go's resolve*AddrTests
// (src/net/tcpsock_test.go, udpsock_test.go, iprawsock_test.go) and Go's texts for the
// constructed errors (GO-ERROR-STRINGS.md section 3.6).
import Net
import Testing

@Suite struct AddrTests {
    /// The TCPAddr values of resolveTCPAddrTests and the text Go prints for each.
    @Test func tcpAddrString() {
        let table: [(TCPAddr, String)] = [
            (TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 0), "127.0.0.1:0"),
            (TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 65535), "127.0.0.1:65535"),
            (TCPAddr(ip: ip("::1"), port: 0), "[::1]:0"),
            (TCPAddr(ip: ip("::1"), port: 65535), "[::1]:65535"),
            (TCPAddr(ip: ip("::1"), port: 1, zone: "en0"), "[::1%en0]:1"),
            (TCPAddr(ip: ip("::1"), port: 2, zone: "911"), "[::1%911]:2"),
            (TCPAddr(port: 12345), ":12345"),
            (TCPAddr(ip: ip("127.0.0.1"), port: 80), "127.0.0.1:80"),
            (TCPAddr(ip: ip("::ffff:127.0.0.1"), port: 80), "127.0.0.1:80"),
            (TCPAddr(ip: ip("2001:db8::1"), port: 80), "[2001:db8::1]:80"),
            (TCPAddr(), ":0"),
            (TCPAddr(ip: IP([]), port: 80), ":80"),  // an empty IP prints as no IP
            (TCPAddr(port: 80, zone: "eth0"), "%eth0:80"),  // Go writes the zone even without an IP
            (TCPAddr(ip: IP([1, 2, 3]), port: 1), "?010203:1"),
            (TCPAddr(ip: IP.v4(1, 2, 3, 4), port: 70000), "1.2.3.4:70000"),  // no range check
        ]
        for (addr, want) in table {
            #expect(addr.description == want)
            #expect(addr.network == "tcp")
        }
    }

    @Test func udpAddrString() {
        let table: [(UDPAddr, String)] = [
            (UDPAddr(ip: IP.v4(127, 0, 0, 1), port: 0), "127.0.0.1:0"),
            (UDPAddr(ip: IP.v4(127, 0, 0, 1), port: 65535), "127.0.0.1:65535"),
            (UDPAddr(ip: ip("::1"), port: 0), "[::1]:0"),
            (UDPAddr(ip: ip("::1"), port: 1, zone: "en0"), "[::1%en0]:1"),
            (UDPAddr(ip: ip("::1"), port: 2, zone: "911"), "[::1%911]:2"),
            (UDPAddr(port: 12345), ":12345"),
            (UDPAddr(ip: ip("2001:db8::1"), port: -1), "[2001:db8::1]:-1"),
        ]
        for (addr, want) in table {
            #expect(addr.description == want)
            #expect(addr.network == "udp")
        }
    }

    /// The IPAddr values of resolveIPAddrTests.
    @Test func ipAddrString() {
        let table: [(IPAddr, String)] = [
            (IPAddr(ip: IP.v4(127, 0, 0, 1)), "127.0.0.1"),
            (IPAddr(ip: ip("::1")), "::1"),
            (IPAddr(ip: ip("::1"), zone: "en0"), "::1%en0"),
            (IPAddr(ip: ip("::1"), zone: "911"), "::1%911"),
            (IPAddr(), ""),
            (IPAddr(zone: "eth0"), "%eth0"),
        ]
        for (addr, want) in table {
            #expect(addr.description == want)
            #expect(addr.network == "ip")
        }
    }

    @Test func unixAddr() {
        let table: [(UnixAddr, String, String)] = [
            (UnixAddr(name: "/tmp/x.sock"), "unix", "/tmp/x.sock"),
            (UnixAddr(name: "srv.sock", net: "unixgram"), "unixgram", "srv.sock"),
            (UnixAddr(name: "@abstract", net: "unixpacket"), "unixpacket", "@abstract"),
            (UnixAddr(name: "@"), "unix", "@"),
            (UnixAddr(), "unix", ""),
        ]
        for (addr, network, text) in table {
            #expect(addr.network == network && addr.description == text)
        }
    }

    /// Every address type is a Go `net.Addr`, usable as `any Addr`.
    @Test func addrExistentials() {
        let addrs: [any Addr] = [
            TCPAddr(ip: ip("::1"), port: 80), UDPAddr(ip: IP.v4(10, 0, 0, 1), port: 53),
            IPAddr(ip: ip("fe80::1"), zone: "eth0"), UnixAddr(name: "s.sock", net: "unixgram"),
            IPNet(ip: IP([10, 0, 0, 0]), mask: Net.cidrMask(8, 32)!),
        ]
        #expect(addrs.map(\.network) == ["tcp", "udp", "ip", "unixgram", "ip+net"])
        #expect(addrs.map(\.description) == ["[::1]:80", "10.0.0.1:53", "fe80::1%eth0", "s.sock", "10.0.0.0/8"])
    }

    /// Addresses compare with Go's IP.Equal inside.
    @Test func addrEquality() {
        #expect(TCPAddr(ip: IP([127, 0, 0, 1]), port: 80) == TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 80))
        #expect(TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 80) != TCPAddr(ip: IP.v4(127, 0, 0, 1), port: 81))
        #expect(Set([UDPAddr(ip: IP([1, 2, 3, 4]), port: 1), UDPAddr(ip: IP.v4(1, 2, 3, 4), port: 1)]).count == 1)
    }

    /// GO-ERROR-STRINGS.md section 3.6: AddrError and ParseError texts.
    @Test func errorTexts() {
        #expect(AddrError(err: "missing port in address", addr: "host").description == "address host: missing port in address")
        #expect(AddrError(err: "missing port in address", addr: "").description == "missing port in address")
        #expect(AddrError(err: "invalid MAC address", addr: "zz").description == "address zz: invalid MAC address")
        #expect(ParseError(type: "IP address", text: "1.2.3").description == "invalid IP address: 1.2.3")
        #expect(ParseError(type: "CIDR address", text: "1.2.3.4/33").description == "invalid CIDR address: 1.2.3.4/33")
        #expect(ParseError(type: "CIDR address", text: "").description == "invalid CIDR address: ")
        let addrError = AddrError(err: "x", addr: "y")
        let parseError = ParseError(type: "x", text: "y")
        #expect(!addrError.timeout && !addrError.temporary && !parseError.timeout && !parseError.temporary)
    }
}
