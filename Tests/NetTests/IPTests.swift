// Go's own tables from src/net/ip_test.go (Go 1.19), ported row for row. Where Go compares with
// reflect.DeepEqual these compare exact bytes; where Go uses IP.Equal they use `==`.
import Net
import Testing

@Suite struct IPTests {
    /// parseIPTests. Go compares with reflect.DeepEqual, so the length (16 for IPv4) matters.
    @Test func parseIP() {
        let v6 = IP([0x20, 0x01, 0x48, 0x60, 0, 0, 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0x00, 0x68])
        let table: [(String, IP?)] = [
            ("127.0.1.2", IP.v4(127, 0, 1, 2)),
            ("127.0.0.1", IP.v4(127, 0, 0, 1)),
            ("::ffff:127.1.2.3", IP.v4(127, 1, 2, 3)),
            ("::ffff:7f01:0203", IP.v4(127, 1, 2, 3)),
            ("0:0:0:0:0000:ffff:127.1.2.3", IP.v4(127, 1, 2, 3)),
            ("0:0:0:0:000000:ffff:127.1.2.3", IP.v4(127, 1, 2, 3)),
            ("0:0:0:0::ffff:127.1.2.3", IP.v4(127, 1, 2, 3)),

            ("2001:4860:0:2001::68", v6),
            ("2001:4860:0000:2001:0000:0000:0000:0068", v6),

            ("-0.0.0.0", nil),
            ("0.-1.0.0", nil),
            ("0.0.-2.0", nil),
            ("0.0.0.-3", nil),
            ("127.0.0.256", nil),
            ("abc", nil),
            ("123:", nil),
            ("fe80::1%lo0", nil),
            ("fe80::1%911", nil),
            ("", nil),
            ("a1:a2:a3:a4::b1:b2:b3:b4", nil),  // Go issue 6628
            ("127.001.002.003", nil),
            ("::ffff:127.001.002.003", nil),
            ("123.000.000.000", nil),
            ("1.2..4", nil),
            ("0123.0.0.1", nil),
        ]
        for (input, want) in table {
            #expect(Net.parseIP(input)?.bytes == want?.bytes, "parseIP(\(input.debugDescription))")
        }
    }

    /// ipStringTests (String only; MarshalText is not ported).
    @Test func ipString() {
        let table: [([UInt8], String)] = [
            ([192, 0, 2, 1], "192.0.2.1"),
            ([0, 0, 0, 0], "0.0.0.0"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1], "192.0.2.1"),
            ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0], "0.0.0.0"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1], "2001:db8::123:12:1"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1], "2001:db8::1"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0x1, 0, 0, 0, 0x1, 0, 0, 0, 0x1], "2001:db8:0:1:0:1:0:1"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0x1, 0, 0, 0, 0x1, 0, 0, 0, 0x1, 0, 0], "2001:db8:1:0:1:0:1:0"),
            ([0x20, 0x1, 0, 0, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0x1], "2001::1:0:0:1"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0], "2001:db8:0:0:1::"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0x1, 0, 0, 0, 0, 0, 0x1], "2001:db8::1:0:0:1"),
            ([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0xa, 0, 0xb, 0, 0xc, 0, 0xd], "2001:db8::a:b:c:d"),
            (IP.ipv6unspecified.bytes, "::"),
            ([], "<nil>"),  // Go's nil IP, the wildcard in Dial and Listen
            ([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef], "?0123456789abcdef"),
        ]
        for (bytes, want) in table {
            #expect(IP(bytes).description == want, "IP(\(bytes))")
        }
    }

    /// ipMaskTests: Go compares with IP.Equal.
    @Test func ipMask() {
        let table: [(IP, IPMask, IP)] = [
            (IP.v4(192, 168, 1, 127), Net.ipv4Mask(255, 255, 255, 128), IP.v4(192, 168, 1, 0)),
            (IP.v4(192, 168, 1, 127), mask("255.255.255.192"), IP.v4(192, 168, 1, 64)),
            (IP.v4(192, 168, 1, 127), mask("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffe0"), IP.v4(192, 168, 1, 96)),
            (IP.v4(192, 168, 1, 127), Net.ipv4Mask(255, 0, 255, 0), IP.v4(192, 0, 1, 0)),
            (ip("2001:db8::1"), mask("ffff:ff80::"), ip("2001:d80::")),
            (ip("2001:db8::1"), mask("f0f0:0f0f::"), ip("2000:d08::")),
        ]
        for (ip, mask, want) in table {
            let out = ip.mask(mask)
            #expect(out != nil && out! == want, "IP(\(ip)).mask(\(mask))")
        }
    }

    /// ipMaskStringTests.
    @Test func ipMaskString() {
        let table: [(IPMask, String)] = [
            (Net.ipv4Mask(255, 255, 255, 240), "fffffff0"),
            (Net.ipv4Mask(255, 0, 128, 0), "ff008000"),
            (mask("ffff:ff80::"), "ffffff80000000000000000000000000"),
            (mask("ef00:ff80::cafe:0"), "ef00ff800000000000000000cafe0000"),
            (IPMask([]), "<nil>"),
        ]
        for (mask, want) in table {
            #expect(mask.description == want)
        }
    }

    /// parseCIDRTests: the IPs with Equal, the mask byte for byte, errors exactly.
    @Test func parseCIDR() {
        let table: [(String, IP, IP, IPMask)] = [
            ("135.104.0.0/32", IP.v4(135, 104, 0, 0), IP.v4(135, 104, 0, 0), Net.ipv4Mask(255, 255, 255, 255)),
            ("0.0.0.0/24", IP.v4(0, 0, 0, 0), IP.v4(0, 0, 0, 0), Net.ipv4Mask(255, 255, 255, 0)),
            ("135.104.0.0/24", IP.v4(135, 104, 0, 0), IP.v4(135, 104, 0, 0), Net.ipv4Mask(255, 255, 255, 0)),
            ("135.104.0.1/32", IP.v4(135, 104, 0, 1), IP.v4(135, 104, 0, 1), Net.ipv4Mask(255, 255, 255, 255)),
            ("135.104.0.1/24", IP.v4(135, 104, 0, 1), IP.v4(135, 104, 0, 0), Net.ipv4Mask(255, 255, 255, 0)),
            ("::1/128", ip("::1"), ip("::1"), mask("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
            ("abcd:2345::/127", ip("abcd:2345::"), ip("abcd:2345::"), mask("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")),
            ("abcd:2345::/65", ip("abcd:2345::"), ip("abcd:2345::"), mask("ffff:ffff:ffff:ffff:8000::")),
            ("abcd:2345::/64", ip("abcd:2345::"), ip("abcd:2345::"), mask("ffff:ffff:ffff:ffff::")),
            ("abcd:2345::/63", ip("abcd:2345::"), ip("abcd:2345::"), mask("ffff:ffff:ffff:fffe::")),
            ("abcd:2345::/33", ip("abcd:2345::"), ip("abcd:2345::"), mask("ffff:ffff:8000::")),
            ("abcd:2345::/32", ip("abcd:2345::"), ip("abcd:2345::"), mask("ffff:ffff::")),
            ("abcd:2344::/31", ip("abcd:2344::"), ip("abcd:2344::"), mask("ffff:fffe::")),
            ("abcd:2300::/24", ip("abcd:2300::"), ip("abcd:2300::"), mask("ffff:ff00::")),
            ("abcd:2345::/24", ip("abcd:2345::"), ip("abcd:2300::"), mask("ffff:ff00::")),
            ("2001:DB8::/48", ip("2001:DB8::"), ip("2001:DB8::"), mask("ffff:ffff:ffff::")),
            ("2001:DB8::1/48", ip("2001:DB8::1"), ip("2001:DB8::"), mask("ffff:ffff:ffff::")),
        ]
        for (input, wantIP, wantNet, wantMask) in table {
            do {
                let (ip, net) = try Net.parseCIDR(input)
                #expect(ip == wantIP && net.ip == wantNet && net.mask == wantMask, "parseCIDR(\(input))")
            } catch {
                Issue.record("parseCIDR(\(input)) threw \(error)")
            }
        }
        let failures = [
            "192.168.1.1/255.255.255.0", "192.168.1.1/35", "2001:db8::1/-1", "2001:db8::1/-0", "-0.0.0.0/32",
            "0.-1.0.0/32", "0.0.-2.0/32", "0.0.0.-3/32", "0.0.0.0/-0", "127.000.000.001/32", "",
        ]
        for input in failures {
            #expect(throws: ParseError(type: "CIDR address", text: input), "parseCIDR(\(input))") {
                try Net.parseCIDR(input)
            }
        }
    }

    /// ipNetContainsTests.
    @Test func ipNetContains() {
        let table: [(IP, IPNet, Bool)] = [
            (IP.v4(172, 16, 1, 1), IPNet(ip: IP.v4(172, 16, 0, 0), mask: Net.cidrMask(12, 32)!), true),
            (IP.v4(172, 24, 0, 1), IPNet(ip: IP.v4(172, 16, 0, 0), mask: Net.cidrMask(13, 32)!), false),
            (IP.v4(192, 168, 0, 3), IPNet(ip: IP.v4(192, 168, 0, 0), mask: Net.ipv4Mask(0, 0, 255, 252)), true),
            (IP.v4(192, 168, 0, 4), IPNet(ip: IP.v4(192, 168, 0, 0), mask: Net.ipv4Mask(0, 255, 0, 252)), false),
            (ip("2001:db8:1:2::1"), IPNet(ip: ip("2001:db8:1::"), mask: Net.cidrMask(47, 128)!), true),
            (ip("2001:db8:1:2::1"), IPNet(ip: ip("2001:db8:2::"), mask: Net.cidrMask(47, 128)!), false),
            (ip("2001:db8:1:2::1"), IPNet(ip: ip("2001:db8:1::"), mask: mask("ffff:0:ffff::")), true),
            (ip("2001:db8:1:2::1"), IPNet(ip: ip("2001:db8:1::"), mask: mask("0:0:0:ffff::")), false),
        ]
        for (ip, net, want) in table {
            #expect(net.contains(ip) == want, "\(net).contains(\(ip))")
        }
    }

    /// ipNetStringTests (Go's nil *IPNet row has no Swift counterpart).
    @Test func ipNetString() {
        let table: [(IPNet, String)] = [
            (IPNet(ip: IP.v4(192, 168, 1, 0), mask: Net.cidrMask(26, 32)!), "192.168.1.0/26"),
            (IPNet(ip: IP.v4(192, 168, 1, 0), mask: Net.ipv4Mask(255, 0, 255, 0)), "192.168.1.0/ff00ff00"),
            (IPNet(ip: ip("2001:db8::"), mask: Net.cidrMask(55, 128)!), "2001:db8::/55"),
            (IPNet(ip: ip("2001:db8::"), mask: mask("8000:f123:0:cafe::")), "2001:db8::/8000f1230000cafe0000000000000000"),
        ]
        for (net, want) in table {
            #expect(net.description == want)
            #expect(net.network == "ip+net")
        }
    }

    /// cidrMaskTests: exact bytes, nil where Go returns nil.
    @Test func cidrMask() {
        let table: [(Int, Int, [UInt8]?)] = [
            (0, 32, [0, 0, 0, 0]),
            (12, 32, [255, 240, 0, 0]),
            (24, 32, [255, 255, 255, 0]),
            (32, 32, [255, 255, 255, 255]),
            (0, 128, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (4, 128, [0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (48, 128, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (128, 128, [UInt8](repeating: 0xff, count: 16)),
            (33, 32, nil),
            (32, 33, nil),
            (-1, 128, nil),
            (128, -1, nil),
        ]
        for (ones, bits, want) in table {
            #expect(Net.cidrMask(ones, bits)?.bytes == want, "cidrMask(\(ones), \(bits))")
        }
    }

    /// networkNumberAndMaskTests, seen through IPNet's description (the function is internal):
    /// each input prints as its expected output, or `<nil>` where Go returns nil, nil.
    @Test func networkNumberAndMask() {
        let v4addr: IP = [192, 168, 0, 1]
        let v4mappedv6addr: IP = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 1]
        let v6addr: IP = [0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1]
        let v4mask: IPMask = [255, 255, 255, 0]
        let v4mappedv6mask: IPMask = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 255, 255, 255, 0]
        let v6mask: IPMask = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
        let badaddr: IP = [192, 168, 0]
        let badmask: IPMask = [255, 255, 0]
        let v4maskzero: IPMask = [0, 0, 0, 0]

        let table: [(IPNet, IPNet?)] = [
            (IPNet(ip: v4addr, mask: v4mask), IPNet(ip: v4addr, mask: v4mask)),
            (IPNet(ip: v4addr, mask: v4mappedv6mask), IPNet(ip: v4addr, mask: v4mask)),
            (IPNet(ip: v4mappedv6addr, mask: v4mappedv6mask), IPNet(ip: v4addr, mask: v4mask)),
            (IPNet(ip: v4mappedv6addr, mask: v6mask), IPNet(ip: v4addr, mask: v4maskzero)),
            (IPNet(ip: v4addr, mask: v6mask), IPNet(ip: v4addr, mask: v4maskzero)),
            (IPNet(ip: v6addr, mask: v6mask), IPNet(ip: v6addr, mask: v6mask)),
            (IPNet(ip: v6addr, mask: v4mappedv6mask), IPNet(ip: v6addr, mask: v4mappedv6mask)),
            (IPNet(ip: v6addr, mask: v4mask), nil),
            (IPNet(ip: v4addr, mask: badmask), nil),
            (IPNet(ip: v4mappedv6addr, mask: badmask), nil),
            (IPNet(ip: v6addr, mask: badmask), nil),
            (IPNet(ip: badaddr, mask: v4mask), nil),
            (IPNet(ip: badaddr, mask: v4mappedv6mask), nil),
            (IPNet(ip: badaddr, mask: v6mask), nil),
            (IPNet(ip: badaddr, mask: badmask), nil),
        ]
        for (input, want) in table {
            #expect(input.description == (want?.description ?? "<nil>"), "IPNet(\(input.ip.bytes), \(input.mask))")
        }
        // The expected outputs themselves, spelled out.
        #expect(IPNet(ip: v4addr, mask: v4maskzero).description == "192.168.0.1/0")
        #expect(IPNet(ip: v6addr, mask: v4mappedv6mask).description == "2001:db8::123:12:1/120")
    }

    /// ipAddrFamilyTests.
    @Test func ipAddrFamily() {
        let table: [(IP, Bool, Bool)] = [
            (IP.ipv4bcast, true, false),
            (IP.ipv4allsys, true, false),
            (IP.ipv4allrouter, true, false),
            (IP.ipv4zero, true, false),
            (IP.v4(224, 0, 0, 1), true, false),
            (IP.v4(127, 0, 0, 1), true, false),
            (IP.v4(240, 0, 0, 1), true, false),
            (IP.ipv6unspecified, false, true),
            (IP.ipv6loopback, false, true),
            (IP.ipv6interfacelocalallnodes, false, true),
            (IP.ipv6linklocalallnodes, false, true),
            (IP.ipv6linklocalallrouters, false, true),
            (ip("ff05::a:b:c:d"), false, true),
            (ip("fe80::1:2:3:4"), false, true),
            (ip("2001:db8::123:12:1"), false, true),
        ]
        for (ip, af4, af6) in table {
            #expect((ip.to4() != nil) == af4, "\(ip)")
            #expect((ip.bytes.count == Net.ipv6len && ip.to4() == nil) == af6, "\(ip)")
        }
    }

    /// ipAddrScopeTests, each row also checked on the 4-byte form as Go does.
    @Test func ipAddrScope() {
        let ff05: IP = [0xff, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let fe80: IP = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let fec0: IP = [0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let none = IP([])
        let table: [(String, (IP) -> Bool, IP, Bool)] = [
            ("isUnspecified", { $0.isUnspecified }, IP.ipv4zero, true),
            ("isUnspecified", { $0.isUnspecified }, IP.v4(127, 0, 0, 1), false),
            ("isUnspecified", { $0.isUnspecified }, IP.ipv6unspecified, true),
            ("isUnspecified", { $0.isUnspecified }, IP.ipv6interfacelocalallnodes, false),
            ("isUnspecified", { $0.isUnspecified }, none, false),
            ("isLoopback", { $0.isLoopback }, IP.v4(127, 0, 0, 1), true),
            ("isLoopback", { $0.isLoopback }, IP.v4(127, 255, 255, 254), true),
            ("isLoopback", { $0.isLoopback }, IP.v4(128, 1, 2, 3), false),
            ("isLoopback", { $0.isLoopback }, IP.ipv6loopback, true),
            ("isLoopback", { $0.isLoopback }, IP.ipv6linklocalallrouters, false),
            ("isLoopback", { $0.isLoopback }, none, false),
            ("isMulticast", { $0.isMulticast }, IP.v4(224, 0, 0, 0), true),
            ("isMulticast", { $0.isMulticast }, IP.v4(239, 0, 0, 0), true),
            ("isMulticast", { $0.isMulticast }, IP.v4(240, 0, 0, 0), false),
            ("isMulticast", { $0.isMulticast }, IP.ipv6linklocalallnodes, true),
            ("isMulticast", { $0.isMulticast }, ff05, true),
            ("isMulticast", { $0.isMulticast }, fe80, false),
            ("isMulticast", { $0.isMulticast }, none, false),
            ("isInterfaceLocalMulticast", { $0.isInterfaceLocalMulticast }, IP.v4(224, 0, 0, 0), false),
            ("isInterfaceLocalMulticast", { $0.isInterfaceLocalMulticast }, IP.v4(0xff, 0x01, 0, 0), false),
            ("isInterfaceLocalMulticast", { $0.isInterfaceLocalMulticast }, IP.ipv6interfacelocalallnodes, true),
            ("isInterfaceLocalMulticast", { $0.isInterfaceLocalMulticast }, none, false),
            ("isLinkLocalMulticast", { $0.isLinkLocalMulticast }, IP.v4(224, 0, 0, 0), true),
            ("isLinkLocalMulticast", { $0.isLinkLocalMulticast }, IP.v4(239, 0, 0, 0), false),
            ("isLinkLocalMulticast", { $0.isLinkLocalMulticast }, IP.v4(0xff, 0x02, 0, 0), false),
            ("isLinkLocalMulticast", { $0.isLinkLocalMulticast }, IP.ipv6linklocalallrouters, true),
            ("isLinkLocalMulticast", { $0.isLinkLocalMulticast }, ff05, false),
            ("isLinkLocalMulticast", { $0.isLinkLocalMulticast }, none, false),
            ("isLinkLocalUnicast", { $0.isLinkLocalUnicast }, IP.v4(169, 254, 0, 0), true),
            ("isLinkLocalUnicast", { $0.isLinkLocalUnicast }, IP.v4(169, 255, 0, 0), false),
            ("isLinkLocalUnicast", { $0.isLinkLocalUnicast }, IP.v4(0xfe, 0x80, 0, 0), false),
            ("isLinkLocalUnicast", { $0.isLinkLocalUnicast }, fe80, true),
            ("isLinkLocalUnicast", { $0.isLinkLocalUnicast }, fec0, false),
            ("isLinkLocalUnicast", { $0.isLinkLocalUnicast }, none, false),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, IP.v4(240, 0, 0, 0), true),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, IP.v4(232, 0, 0, 0), false),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, IP.v4(169, 254, 0, 0), false),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, IP.ipv4bcast, false),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, IP([0x20, 0x1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0x1, 0x23, 0, 0x12, 0, 0x1]), true),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, fe80, false),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, ff05, false),
            ("isGlobalUnicast", { $0.isGlobalUnicast }, none, false),
            ("isPrivate", { $0.isPrivate }, none, false),
            ("isPrivate", { $0.isPrivate }, IP.v4(1, 1, 1, 1), false),
            ("isPrivate", { $0.isPrivate }, IP.v4(9, 255, 255, 255), false),
            ("isPrivate", { $0.isPrivate }, IP.v4(10, 0, 0, 0), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(10, 255, 255, 255), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(11, 0, 0, 0), false),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 15, 255, 255), false),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 16, 0, 0), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 16, 255, 255), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 23, 18, 255), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 31, 255, 255), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 31, 0, 0), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(172, 32, 0, 0), false),
            ("isPrivate", { $0.isPrivate }, IP.v4(192, 167, 255, 255), false),
            ("isPrivate", { $0.isPrivate }, IP.v4(192, 168, 0, 0), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(192, 168, 255, 255), true),
            ("isPrivate", { $0.isPrivate }, IP.v4(192, 169, 0, 0), false),
            ("isPrivate", { $0.isPrivate }, IP([0xfb] + [UInt8](repeating: 0xff, count: 15)), false),
            ("isPrivate", { $0.isPrivate }, IP([0xfc] + [UInt8](repeating: 0, count: 15)), true),
            ("isPrivate", { $0.isPrivate }, IP([0xfc, 0xff, 0x12, 0, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0, 0]), true),
            ("isPrivate", { $0.isPrivate }, IP([0xfd] + [UInt8](repeating: 0xff, count: 15)), true),
            ("isPrivate", { $0.isPrivate }, IP([0xfe] + [UInt8](repeating: 0, count: 15)), false),
        ]
        for (name, scope, ip, want) in table {
            #expect(scope(ip) == want, "\(name)(\(ip))")
            if let ip4 = ip.to4() {
                #expect(scope(ip4) == want, "\(name)(\(ip4.bytes))")
            }
        }
    }

    /// Go's IP.Equal: a 4-byte address equals its IPv4-mapped form, and they hash alike.
    @Test func equalityAndHashingFollowGoEqual() {
        let four: IP = [10, 1, 2, 3]
        let mapped = IP.v4(10, 1, 2, 3)
        #expect(four == mapped && mapped == four)
        #expect(four.hashValue == mapped.hashValue)
        #expect(Set([four, mapped, ip("::ffff:10.1.2.3")]).count == 1)
        #expect(four != ip("::10.1.2.3"))  // IPv4-compatible is not IPv4-mapped
        #expect(IP([]) == IP([]))
        #expect(IP([]) != IP.ipv4zero)
    }

    /// The well-known addresses: Go's IPv4bcast ... IPv6linklocalallrouters.
    @Test func wellKnownAddresses() {
        #expect(Net.ipv4len == 4 && Net.ipv6len == 16)
        let table: [(IP, Int, String)] = [
            (IP.ipv4bcast, 16, "255.255.255.255"),
            (IP.ipv4allsys, 16, "224.0.0.1"),
            (IP.ipv4allrouter, 16, "224.0.0.2"),
            (IP.ipv4zero, 16, "0.0.0.0"),
            (IP.ipv6zero, 16, "::"),
            (IP.ipv6unspecified, 16, "::"),
            (IP.ipv6loopback, 16, "::1"),
            (IP.ipv6interfacelocalallnodes, 16, "ff01::1"),
            (IP.ipv6linklocalallnodes, 16, "ff02::1"),
            (IP.ipv6linklocalallrouters, 16, "ff02::2"),
        ]
        for (ip, count, text) in table {
            #expect(ip.bytes.count == count && ip.description == text)
        }
        #expect(IP.v4(1, 2, 3, 4).bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])
    }

    /// Default masks by historical class, and IPMask.size on Go's examples.
    @Test func defaultMaskAndSize() {
        #expect(ip("10.1.2.3").defaultMask() == Net.ipv4Mask(255, 0, 0, 0))
        #expect(ip("172.16.0.1").defaultMask() == Net.ipv4Mask(255, 255, 0, 0))
        #expect(ip("192.0.2.1").defaultMask() == Net.ipv4Mask(255, 255, 255, 0))
        #expect(ip("::1").defaultMask() == nil)
        #expect(Net.ipv4Mask(255, 255, 255, 0).size() == (24, 32))
        #expect(Net.cidrMask(55, 128)!.size() == (55, 128))
        #expect(Net.ipv4Mask(255, 0, 255, 0).size() == (0, 0))
    }
}

/// An address that must parse.
func ip(_ s: String) -> IP {
    guard let ip = Net.parseIP(s) else {
        Issue.record("parseIP(\(s)) failed")
        return IP([])
    }
    return ip
}

/// Go's `IPMask(ParseIP(s))`: a mask spelled as an address, all 16 bytes of it.
func mask(_ s: String) -> IPMask {
    IPMask(ip(s).bytes)
}
