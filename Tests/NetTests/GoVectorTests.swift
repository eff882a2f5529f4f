// Runs the fact tables in GoVectors.swift: what Go 1.19's net package returned for ~2,000 tricky
// inputs. Every comparison is exact (bytes, strings, error texts), so any drift from Go fails.
import Net
import Testing

/// Bytes from lower-case hex, as the generator writes them.
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8).map { c -> UInt8 in
        c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10
    }
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

// MARK: Row types (the generated file holds only data)

struct GoParseIP: Sendable {
    let input: String, bytes: String?, string: String
    init(_ input: String, _ bytes: String?, _ string: String) {
        (self.input, self.bytes, self.string) = (input, bytes, string)
    }
    var label: Comment { "parseIP(\(input.debugDescription))" }
}

struct GoIPString: Sendable {
    let bytes: String, string: String
    init(_ bytes: String, _ string: String) { (self.bytes, self.string) = (bytes, string) }
    var label: Comment { "IP(\(bytes))" }
}

struct GoParseCIDR: Sendable {
    let input: String
    let ip: String?, net: String?, mask: String?, string: String?, error: String?
    init(_ input: String, ip: String, net: String, mask: String, string: String) {
        (self.input, self.ip, self.net, self.mask, self.string, self.error) = (input, ip, net, mask, string, nil)
    }
    init(_ input: String, error: String) {
        (self.input, self.ip, self.net, self.mask, self.string, self.error) = (input, nil, nil, nil, nil, error)
    }
    var label: Comment { "parseCIDR(\(input.debugDescription))" }
}

struct GoSplitHostPort: Sendable {
    let input: String, host: String?, port: String?, error: String?
    init(_ input: String, host: String, port: String) {
        (self.input, self.host, self.port, self.error) = (input, host, port, nil)
    }
    init(_ input: String, error: String) { (self.input, self.host, self.port, self.error) = (input, nil, nil, error) }
    var label: Comment { "splitHostPort(\(input.debugDescription))" }
}

struct GoJoinHostPort: Sendable {
    let host: String, port: String, joined: String
    init(_ host: String, _ port: String, _ joined: String) { (self.host, self.port, self.joined) = (host, port, joined) }
    var label: Comment { "joinHostPort(\(host.debugDescription), \(port.debugDescription))" }
}

struct GoIPEqual: Sendable {
    let a: String, b: String, equal: Bool
    init(_ a: String, _ b: String, _ equal: Bool) { (self.a, self.b, self.equal) = (a, b, equal) }
    var label: Comment { "IP(\(a)) == IP(\(b))" }
}

struct GoIPMask: Sendable {
    let ip: String, mask: String, masked: String?
    init(_ ip: String, _ mask: String, _ masked: String?) { (self.ip, self.mask, self.masked) = (ip, mask, masked) }
    var label: Comment { "IP(\(ip)).mask(\(mask))" }
}

struct GoIPProperties: Sendable {
    let ip: String, to4: String?, to16: String?, defaultMask: String?
    let flags: [Bool]
    init(
        _ ip: String, to4: String?, to16: String?, defaultMask: String?, unspecified: Bool, loopback: Bool,
        private: Bool, multicast: Bool, interfaceLocalMulticast: Bool, linkLocalMulticast: Bool,
        linkLocalUnicast: Bool, globalUnicast: Bool
    ) {
        (self.ip, self.to4, self.to16, self.defaultMask) = (ip, to4, to16, defaultMask)
        flags = [unspecified, loopback, `private`, multicast, interfaceLocalMulticast, linkLocalMulticast,
                 linkLocalUnicast, globalUnicast]
    }
    var label: Comment { "IP(\(ip))" }
}

struct GoIPMaskSize: Sendable {
    let mask: String, ones: Int, bits: Int, string: String
    init(_ mask: String, ones: Int, bits: Int, string: String) {
        (self.mask, self.ones, self.bits, self.string) = (mask, ones, bits, string)
    }
    var label: Comment { "IPMask(\(mask))" }
}

struct GoCIDRMask: Sendable {
    let ones: Int, bits: Int, mask: String?
    init(_ ones: Int, _ bits: Int, _ mask: String?) { (self.ones, self.bits, self.mask) = (ones, bits, mask) }
    var label: Comment { "cidrMask(\(ones), \(bits))" }
}

struct GoIPNet: Sendable {
    let ip: String, mask: String, string: String, contains: [(String, Bool)]
    init(_ ip: String, _ mask: String, string: String, contains: [(String, Bool)]) {
        (self.ip, self.mask, self.string, self.contains) = (ip, mask, string, contains)
    }
    var label: Comment { "IPNet(\(ip), \(mask))" }
}

struct GoAddrString: Sendable {
    let ip: String?, port: Int, zone: String, tcp: String, udp: String, ipAddr: String
    init(_ ip: String?, port: Int, zone: String, tcp: String, udp: String, ip ipAddr: String) {
        (self.ip, self.port, self.zone, self.tcp, self.udp, self.ipAddr) = (ip, port, zone, tcp, udp, ipAddr)
    }
    var label: Comment { "addr(\(ip ?? "nil"), \(port), \(zone.debugDescription))" }
}

// MARK: Runners (one test per table, so the log stays short; a failure names its row)

@Suite struct GoVectorTests {
    @Test func parseIP() {
        for v in goParseIP {
            let ip = Net.parseIP(v.input)
            #expect(ip?.bytes == v.bytes.map(hexBytes), v.label)
            #expect((ip ?? IP([])).description == v.string, v.label)
            // What Go accepts, the text Go prints for it parses back to the same address.
            if let ip { #expect(Net.parseIP(ip.description) == ip, v.label) }
        }
    }

    @Test func ipString() {
        for v in goIPString {
            #expect(IP(hexBytes(v.bytes)).description == v.string, v.label)
        }
    }

    @Test func parseCIDR() {
        for v in goParseCIDR {
            do {
                let (ip, net) = try Net.parseCIDR(v.input)
                #expect(v.error == nil, "\(v.label): Go failed with \(v.error ?? "")")
                #expect(ip.bytes == v.ip.map(hexBytes), v.label)
                #expect(net.ip.bytes == v.net.map(hexBytes), v.label)
                #expect(net.mask.bytes == v.mask.map(hexBytes), v.label)
                #expect(net.description == v.string, v.label)
            } catch {
                #expect(error.description == v.error, v.label)
                #expect(error == ParseError(type: "CIDR address", text: v.input), v.label)
            }
        }
    }

    @Test func splitHostPort() {
        for v in goSplitHostPort {
            do {
                let (host, port) = try Net.splitHostPort(v.input)
                #expect(v.error == nil, "\(v.label): Go failed with \(v.error ?? "")")
                #expect(host == v.host, v.label)
                #expect(port == v.port, v.label)
            } catch {
                #expect(error.description == v.error, v.label)
                #expect(error.addr == v.input, v.label)
            }
        }
    }

    @Test func joinHostPort() {
        for v in goJoinHostPort {
            #expect(Net.joinHostPort(v.host, v.port) == v.joined, v.label)
        }
    }

    @Test func ipEqual() {
        for v in goIPEqual {
            let a = IP(hexBytes(v.a)), b = IP(hexBytes(v.b))
            #expect((a == b) == v.equal, v.label)
            if v.equal { #expect(a.hashValue == b.hashValue, v.label) }
        }
    }

    @Test func ipMask() {
        for v in goIPMask {
            #expect(IP(hexBytes(v.ip)).mask(IPMask(hexBytes(v.mask)))?.bytes == v.masked.map(hexBytes), v.label)
        }
    }

    @Test func ipProperties() {
        for v in goIPProperties {
            let ip = IP(hexBytes(v.ip))
            #expect(ip.to4()?.bytes == v.to4.map(hexBytes), v.label)
            #expect(ip.to16()?.bytes == v.to16.map(hexBytes), v.label)
            #expect(ip.defaultMask()?.bytes == v.defaultMask.map(hexBytes), v.label)
            let flags = [ip.isUnspecified, ip.isLoopback, ip.isPrivate, ip.isMulticast, ip.isInterfaceLocalMulticast,
                         ip.isLinkLocalMulticast, ip.isLinkLocalUnicast, ip.isGlobalUnicast]
            #expect(flags == v.flags, "\(v.label): [unspecified, loopback, private, multicast, ifLocalMC, linkLocalMC, linkLocalUC, global]")
        }
    }

    @Test func ipMaskSize() {
        for v in goIPMaskSize {
            let mask = IPMask(hexBytes(v.mask))
            #expect(mask.size() == (v.ones, v.bits), v.label)
            #expect(mask.description == v.string, v.label)
        }
    }

    @Test func cidrMask() {
        for v in goCIDRMask {
            #expect(Net.cidrMask(v.ones, v.bits)?.bytes == v.mask.map(hexBytes), v.label)
        }
    }

    @Test func ipNet() {
        for v in goIPNet {
            let net = IPNet(ip: IP(hexBytes(v.ip)), mask: IPMask(hexBytes(v.mask)))
            #expect(net.description == v.string, v.label)
            for (probe, contains) in v.contains {
                #expect(net.contains(IP(hexBytes(probe))) == contains, "\(v.label): contains(\(probe))")
            }
        }
    }

    @Test func addrString() {
        for v in goAddrString {
            let ip = v.ip.map { IP(hexBytes($0)) }
            #expect(TCPAddr(ip: ip, port: v.port, zone: v.zone).description == v.tcp, v.label)
            #expect(UDPAddr(ip: ip, port: v.port, zone: v.zone).description == v.udp, v.label)
            #expect(IPAddr(ip: ip, zone: v.zone).description == v.ipAddr, v.label)
        }
    }

    /// A truncated table would pass quietly; the counts are the ones the generator printed.
    @Test func everyTableIsComplete() {
        #expect(goParseIP.count == 452)
        #expect(goIPString.count == 183)
        #expect(goParseCIDR.count == 376)
        #expect(goSplitHostPort.count == 381)
        #expect(goJoinHostPort.count == 21)
        #expect(goIPEqual.count == 196)
        #expect(goIPMask.count == 42)
        #expect(goIPProperties.count == 85)
        #expect(goIPMaskSize.count == 27)
        #expect(goCIDRMask.count == 91)
        #expect(goIPNet.count == 54)
        #expect(goAddrString.count == 120)
    }
}
