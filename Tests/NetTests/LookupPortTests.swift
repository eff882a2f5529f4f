// Net.lookupPort against Go 1.19 itself, Go's parsePort table (src/net/port_test.go), and the
// /etc/services reader (src/net/port_unix.go) on texts built here.
//
// How the `goLookupPort` table was produced: a Go program run with Go 1.19.8 linux/amd64 and
// GODEBUG=netdns=go (the pure-Go resolver; the output was the same built with -tags netgo and
// CGO_ENABLED=0) printed `net.LookupPort(network, service)` for each (network, service) pair
// below, as `(network, service, port, err.Error() or nil)`; the rows are its output, unedited.
// Rows marked `system` depend on this machine's /etc/services (Debian netbase: `www` is an alias
// of http/tcp, `domain` is also on tcp, `ntp` is 123/udp, neither http nor ssh is on udp); the
// others are answered by parsePort or Go's built-in table alone.
import Glibc
@testable import Net
import Testing
import TestSupport

/// One LookupPort call and what Go returned.
private struct Row: Sendable, CustomTestStringConvertible {
    var network: String
    var service: String
    var port: Int
    var error: String?
    var system: Bool

    init(_ network: String, _ service: String, _ port: Int, _ error: String?, system: Bool = false) {
        self.network = network
        self.service = service
        self.port = port
        self.error = error
        self.system = system
    }

    var testDescription: String { "lookupPort(\"\(network)\", \"\(service)\")" }
}

/// Reading /etc/services opens an fd (once per process, on a thread of its own).
@Suite(.fdLeakCheck) struct LookupPortTests {
    fileprivate static let goLookupPort: [Row] = [
        Row("tcp", "0", 0, nil),
        Row("tcp", "80", 80, nil),
        Row("tcp", "+80", 80, nil),
        Row("tcp", "-0", 0, nil),
        Row("tcp", "-1", 0, "address -1: invalid port"),
        Row("tcp", "+", 0, nil),
        Row("tcp", "-", 0, nil),
        Row("tcp", "65535", 65535, nil),
        Row("tcp", "65536", 0, "address 65536: invalid port"),
        Row("tcp", "123456789", 0, "address 123456789: invalid port"),
        Row("tcp", "1073741823", 0, "address 1073741823: invalid port"),
        Row("tcp", "1073741824", 0, "address 1073741824: invalid port"),
        Row("tcp", "4294967295", 0, "address 4294967295: invalid port"),
        Row("tcp", "4294967296", 0, "address 4294967296: invalid port"),
        Row("tcp", "99999999999999999999", 0, "address 99999999999999999999: invalid port"),
        Row("tcp", "-1073741824", 0, "address -1073741824: invalid port"),
        Row("tcp", "-99999999999999999999", 0, "address -99999999999999999999: invalid port"),
        Row("tcp", "0080", 80, nil),
        Row("tcp", "", 0, nil),
        Row("unix", "", 0, nil),
        Row("unix", "80", 80, nil),
        Row("foo", "-5", 0, "address -5: invalid port"),
        Row("tcp", "http", 80, nil),
        Row("tcp", "HTTP", 80, nil),
        Row("tcp", "Https", 443, nil),
        Row("tcp4", "http", 80, nil),
        Row("tcp6", "ssh", 22, nil),
        Row("tcp", "www", 80, nil, system: true),
        Row("udp", "domain", 53, nil),
        Row("udp6", "DOMAIN", 53, nil),
        Row("udp", "http", 0, "address udp/http: unknown port", system: true),
        Row("tcp", "domain", 53, nil, system: true),
        Row("tcp", "gopher", 70, nil),
        Row("tcp", "imap3", 220, nil),
        Row("tcp", "ftps", 990, nil),
        Row("tcp", "no-such-service-xyz", 0, "address tcp/no-such-service-xyz: unknown port"),
        Row("udp", "no-such-service-xyz", 0, "address udp/no-such-service-xyz: unknown port"),
        Row("tcp", "☺", 0, "address tcp/☺: unknown port"),
        Row("tcp", "http ", 0, "address tcp/http : unknown port"),
        Row("tcp", " 80", 0, "address tcp/ 80: unknown port"),
        Row("tcp", "80 ", 0, "address tcp/80 : unknown port"),
        Row("tcp", "0x50", 0, "address tcp/0x50: unknown port"),
        Row("tcp", "1e2", 0, "address tcp/1e2: unknown port"),
        Row("tcp", "8_0", 0, "address tcp/8_0: unknown port"),
        Row("unix", "http", 0, "address unix: unknown network"),
        Row("unixgram", "http", 0, "address unixgram: unknown network"),
        Row("ip", "http", 0, "address ip: unknown network"),
        Row("ip4", "http", 0, "address ip4: unknown network"),
        Row("", "http", 0, "address ip/http: unknown port"),
        Row("", "80", 80, nil),
        Row("", "-1", 0, "address -1: invalid port"),
        Row("TCP", "http", 0, "address TCP: unknown network"),
        Row("tcp", "ssh", 22, nil),
        Row("tcp", "telnet", 23, nil),
        Row("tcp", "smtp", 25, nil),
        Row("udp", "ntp", 123, nil, system: true),
        Row("tcp", "mobility-header-xxxxxxxxxx", 0, "address tcp/mobility-header-xxxxxxxxxx: unknown port"),
        Row("sctp", "http", 0, "address sctp: unknown network"),
        Row("ddp", "rtmp", 0, "address ddp: unknown network"),
        Row("tcp", "4294967300", 4, nil),
        Row("tcp", "4294967380", 84, nil),
        Row("tcp", "42949673000", 40, nil),
        Row("tcp", "-4294967300", 0, "address -4294967300: invalid port"),
        Row("tcp4", "no-such", 0, "address tcp/no-such: unknown port"),
        Row("udp6", "xyz", 0, "address udp/xyz: unknown port"),
        Row("", "ssh", 0, "address ip/ssh: unknown port"),
        Row("udp", "DOMAIN", 53, nil),
        Row("tcp", "+-1", 0, "address tcp/+-1: unknown port"),
        Row("tcp", "--1", 0, "address tcp/--1: unknown port"),
        Row("tcp", "+0", 0, nil),
        Row("tcp", "00000000000000000000080", 80, nil),
        Row("tcp", "-65535", 0, "address -65535: invalid port"),
        Row("tcp", "HtTpS", 443, nil),
        Row("tcp", "ＨＴＴＰ", 0, "address tcp/ＨＴＴＰ: unknown port"),
        Row("tcp", "pop3s", 995, nil),
        Row("tcp", "imaps", 993, nil),
        Row("tcp", "IMAP2", 143, nil),
        Row("udp", "ssh", 0, "address udp/ssh: unknown port", system: true),
        Row("tcp4", "ftp", 21, nil),
    ]

    @Test func goLookupPortTable() async throws {
        let haveServices = access("/etc/services", R_OK) == 0
        for row in Self.goLookupPort where haveServices || !row.system {
            do {
                let port = try await Net.lookupPort(row.network, row.service)
                #expect(row.error == nil, "\(row.testDescription) = \(port), want \(row.error ?? "")")
                #expect(port == row.port, "\(row.testDescription)")
            } catch let error as AddrError {
                #expect(error.description == row.error, "\(row.testDescription)")
            } catch {
                Issue.record("\(row.testDescription) threw \(type(of: error)): \(error), want AddrError")
            }
        }
    }

    /// Go's TestLookupPort and TestLookupPort_Minimal (src/net/lookup_test.go).
    @Test func goTestLookupPort() async throws {
        let ok: [(String, String, Int)] = [
            ("tcp", "0", 0), ("udp", "0", 0), ("udp", "domain", 53),
            ("tcp", "", 0), ("tcp4", "", 0), ("tcp6", "", 0), ("udp", "", 0), ("udp4", "", 0), ("udp6", "", 0),
            ("tcp", "http", 80), ("tcp", "HTTP", 80), ("tcp", "https", 443), ("tcp", "ssh", 22),
            ("tcp", "gopher", 70), ("tcp4", "http", 80), ("tcp6", "http", 80),
        ]
        for (network, service, port) in ok {
            #expect(try await Net.lookupPort(network, service) == port, "\(network) \(service)")
        }
        let bad: [(String, String)] = [
            ("--badnet--", "zzz"), ("tcp", "--badport--"), ("tcp", "-1"), ("tcp", "65536"),
            ("udp", "-1"), ("udp", "65536"), ("tcp", "123456789"),
        ]
        for (network, service) in bad {
            await #expect(throws: AddrError.self, "\(network) \(service)") {
                try await Net.lookupPort(network, service)
            }
        }
    }

    @Test func errorFields() async throws {
        let error = await #expect(throws: AddrError.self) { try await Net.lookupPort("tcp", "no-such-service-xyz") }
        #expect(error?.err == "unknown port")
        #expect(error?.addr == "tcp/no-such-service-xyz")
        #expect(error?.description == "address tcp/no-such-service-xyz: unknown port")
    }

    @Test func readServicesFile() throws {
        // A missing file leaves Go's built-in table.
        #expect(readServices("/no/such/services") == builtinServices)
        if access("/etc/services", R_OK) == 0 {
            let table = readServices("/etc/services")
            #expect(try lookupPortMap("tcp", "http", in: table) == 80)
            #expect(try lookupPortMap("tcp", "gopher", in: table) == 70)
        }
    }
}

@Suite struct ParsePortTests {
    /// Go's parsePortTests (src/net/port_test.go), and the Go table's edge cases.
    @Test(arguments: [
        ("", 0, false),
        // Decimal number literals
        ("-1073741825", -1 << 30, false),
        ("-1073741824", -1 << 30, false),
        ("-1073741823", -(1 << 30 - 1), false),
        ("-123456789", -123456789, false),
        ("-1", -1, false),
        ("-0", 0, false),
        ("0", 0, false),
        ("+0", 0, false),
        ("+1", 1, false),
        ("65535", 65535, false),
        ("65536", 65536, false),
        ("123456789", 123456789, false),
        ("1073741822", 1 << 30 - 2, false),
        ("1073741823", 1 << 30 - 1, false),
        ("1073741824", 1 << 30 - 1, false),
        ("1073741825", 1 << 30 - 1, false),
        // Others
        ("abc", 0, true),
        ("9pfs", 0, true),
        ("123badport", 0, true),
        ("bad123port", 0, true),
        ("badport123", 0, true),
        ("123456789badport", 0, true),
        ("-2147483649badport", 0, true),
        ("2147483649badport", 0, true),
        // Not in Go's table: overflow of uint32, a lone sign, two signs, non-ASCII digits.
        ("4294967296", 1 << 30 - 1, false),
        // Go's n *= 10 wraps around in uint32 (see the Go table above): a Go bug, kept.
        ("4294967300", 4, false),
        ("-4294967300", -4, false),
        ("99999999999999999999", 1 << 30 - 1, false),
        ("-99999999999999999999", -1 << 30, false),
        ("+", 0, false),
        ("-", 0, false),
        ("+-1", 0, true),
        ("٨٠", 0, true),
    ])
    func parsePortTable(service: String, port: Int, needsLookup: Bool) {
        let got = parsePort(service)
        #expect(got.port == port)
        #expect(got.needsLookup == needsLookup)
    }

    @Test func builtinTableIsGos() throws {
        let tcp = ["ftp": 21, "ftps": 990, "gopher": 70, "http": 80, "https": 443, "imap2": 143,
                   "imap3": 220, "imaps": 993, "pop3": 110, "pop3s": 995, "smtp": 25, "ssh": 22, "telnet": 23]
        #expect(builtinServices.keys.sorted() == ["tcp", "udp"])
        #expect(builtinServices["tcp"]?.count == tcp.count)
        for (name, port) in tcp {
            #expect(try lookupPortMap("tcp", name, in: builtinServices) == port)
            #expect(try lookupPortMap("tcp6", name.uppercased(), in: builtinServices) == port)
        }
        #expect(builtinServices["udp"] == [Array("domain".utf8): 53])
        #expect(try lookupPortMap("udp4", "Domain", in: builtinServices) == 53)
        #expect(throws: AddrError(err: "unknown port", addr: "udp/http")) {
            try lookupPortMap("udp6", "http", in: builtinServices)
        }
        #expect(throws: AddrError(err: "unknown port", addr: "ip/http")) {
            try lookupPortMap("ip", "http", in: builtinServices)
        }
    }

    /// Go's readServices, line by line (src/net/port_unix.go).
    @Test func parseServicesText() throws {
        let text = """
            # a comment line
            http\t\t80/tcp\t\twww www-http\t# World Wide Web HTTP
            http  8080/udp
            dup 1/tcp
            dup 2/tcp
            crlf 7/tcp alias\r
            Upper 9/tcp lower
            zero 0/tcp
            noslash 10
            badnum x10/tcp
            big 70000/tcp
            huge 16777215/tcp
            alone
            odd 11/
            weird 12/tcp/x
            mobility-header-xxxxxxxxx 13/tcp
            mobility-header-xxxxxxxxxx 14/tcp
            one-field-then-comment #12/tcp
            """
        var table = builtinServices
        parseServices(Array(text.utf8), into: &table)
        func port(_ network: String, _ name: String) -> Int? { try? lookupPortMap(network, name, in: table) }
        #expect(port("tcp", "http") == 80)
        #expect(port("tcp", "www") == 80)
        #expect(port("tcp", "WWW-HTTP") == 80)
        #expect(port("udp", "http") == 8080)
        #expect(port("tcp", "ssh") == 22)  // built-in entries stay
        #expect(port("tcp", "dup") == 2)  // a later line wins
        #expect(port("tcp", "crlf") == 7)
        #expect(port("tcp", "alias") == 7)  // the CR is not part of the name
        // Names in the file are kept as written, the name looked up is lowercased: as in Go,
        // a name written with a capital can never be found.
        #expect(port("tcp", "Upper") == nil)
        #expect(port("tcp", "upper") == nil)
        #expect(port("tcp", "lower") == 9)
        #expect(port("tcp", "zero") == nil)  // port <= 0 skipped
        #expect(port("tcp", "noslash") == nil)
        #expect(port("tcp", "badnum") == nil)
        #expect(port("tcp", "big") == 70000)  // lookupPort's range check rejects it later
        #expect(port("tcp", "huge") == nil)  // dtoi gives up at 0xFFFFFF
        #expect(port("", "odd") == 11)  // an empty network name is a table of its own
        #expect(port("tcp/x", "weird") == 12)
        #expect(port("tcp", "mobility-header-xxxxxxxxx") == 13)  // 25 bytes: maxPortBufSize
        #expect(port("tcp", "mobility-header-xxxxxxxxxx") == nil)  // 26 bytes: too long for Go
        #expect(port("tcp", "one-field-then-comment") == nil)
    }
}
