// Service lookup: Go's net.LookupPort (src/net/lookup.go), parsePort (src/net/port.go) and the
// pure-Go resolver's reader of /etc/services (src/net/port_unix.go), with Go's built-in table
// for systems that lack the file.
//
// Go's pure resolver is the model, not getservbyname(3) or its cgo resolver: the texts are
// Go's (`address tcp/NAME: unknown port`), names match without regard to ASCII case, and the
// result does not depend on nsswitch.
import Synchronization
import Syscall

/// Looks up the port of a service on a network: Go's `net.LookupPort`.
///
/// A decimal number (with an optional sign, `"+80"`) is the port itself, with no lookup; an
/// empty service is port 0. A name is looked up in /etc/services (read once) and, if missing
/// there, in Go's built-in table (`http` 80, `https` 443, `ssh` 22, `domain` 53 on udp, ...),
/// without regard to ASCII case. `network` is `tcp`, `tcp4`, `tcp6`, `udp`, `udp4`, `udp6`, or
/// `""`, which Go maps to `ip` (so a name is never found); it matters only for names.
///
/// - Throws: ``AddrError``: `address 65536: invalid port` for a number out of 0...65535,
///   `address unix: unknown network` for a name on another network,
///   `address tcp/NAME: unknown port` for a name nobody knows.
///   `CancellationError` if the task is cancelled while /etc/services is first read.
///
/// ```swift
/// print(try await Net.lookupPort("tcp", "https"))   // 443
/// print(try await Net.lookupPort("udp", "53"))      // 53
/// ```
public func lookupPort(_ network: String, _ service: String) async throws -> Int {
    var (port, needsLookup) = parsePort(service)
    if needsLookup {
        var network = network
        switch network {
        case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
            break
        case "":  // Go 1.0's undocumented wildcard
            network = "ip"
        default:
            throw AddrError(err: "unknown network", addr: network)
        }
        let table = try await systemServices()
        port = try lookupPortMap(network, service, in: table)
    }
    if port < 0 || port > 65535 {
        throw AddrError(err: "invalid port", addr: service)
    }
    return port
}

/// Parses a decimal port with an optional sign: Go's unexported `net.parsePort`.
///
/// `needsLookup` is true, and `port` 0, if anything but a digit follows the sign: the service
/// is a name. `""` (and a lone sign) is port 0. Values too big for a port are not an error
/// here: they saturate at 2^30 - 1 (or -2^30), so the caller's range check reports them
/// (golang.org/issue/11715). Go's multiplication by ten can wrap around first, and so does
/// this one: `"4294967300"` is port 4 in Go 1.19 and here.
func parsePort(_ service: String) -> (port: Int, needsLookup: Bool) {
    var digits = service.utf8[...]
    if digits.isEmpty { return (0, false) }  // golang.org/issue/13610
    let max = UInt32.max
    let cutoff = UInt32(1) << 30
    var negative = false
    if digits.first == UInt8(ascii: "+") {
        digits = digits.dropFirst()
    } else if digits.first == UInt8(ascii: "-") {
        negative = true
        digits = digits.dropFirst()
    }
    var n: UInt32 = 0
    for c in digits {
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return (0, true) }
        if n >= cutoff {
            n = max
            break
        }
        // Go's uint32 arithmetic wraps here, so "4294967300" is port 4, as in Go 1.19.
        n &*= 10
        let nn = n &+ UInt32(c - UInt8(ascii: "0"))
        if nn < n || nn > max {
            n = max
            break
        }
        n = nn
    }
    var port: Int
    if !negative && n >= cutoff {
        port = Int(cutoff - 1)
    } else if negative && n > cutoff {
        port = Int(cutoff)
    } else {
        port = Int(n)
    }
    if negative { port = -port }
    return (port, false)
}

// MARK: the service tables

/// Ports by network (`"tcp"`, `"udp"`, ...) and service name. Names are kept as their bytes, as
/// Go's map keys are, so no Unicode equivalence makes two different names one.
typealias ServiceTable = [String: [[UInt8]: Int]]

/// Go's built-in services, for systems without /etc/services (the `services` map in
/// src/net/lookup.go, Go 1.19). /etc/services adds to it and overrides it.
let builtinServices: ServiceTable = [
    "udp": [
        Array("domain".utf8): 53,
    ],
    "tcp": [
        Array("ftp".utf8): 21,
        Array("ftps".utf8): 990,
        Array("gopher".utf8): 70,
        Array("http".utf8): 80,
        Array("https".utf8): 443,
        Array("imap2".utf8): 143,
        Array("imap3".utf8): 220,
        Array("imaps".utf8): 993,
        Array("pop3".utf8): 110,
        Array("pop3s".utf8): 995,
        Array("smtp".utf8): 25,
        Array("ssh".utf8): 22,
        Array("telnet".utf8): 23,
    ],
]

/// The longest service name looked up: Go's `maxPortBufSize`, `len("mobility-header") + 10`.
/// A longer name is never found, as in Go.
let maxPortBufSize = "mobility-header".utf8.count + 10

/// Finds a service's port: Go's unexported `lookupPortMap`.
///
/// `tcp4` and `tcp6` look in `tcp`, `udp4` and `udp6` in `udp`. The name is lowercased
/// (ASCII letters only); the names in the table are not, so a table name with a capital is
/// never found, as in Go.
///
/// - Throws: ``AddrError`` `address NETWORK/SERVICE: unknown port`, naming the table looked in.
func lookupPortMap(_ network: String, _ service: String, in table: ServiceTable) throws(AddrError) -> Int {
    var network = network
    switch network {
    case "tcp4", "tcp6": network = "tcp"
    case "udp4", "udp6": network = "udp"
    default: break
    }
    if let names = table[network], service.utf8.count <= maxPortBufSize {
        let lower = service.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        if let port = names[lower] { return port }
    }
    throw AddrError(err: "unknown port", addr: network + "/" + service)
}

/// Adds the entries of an /etc/services text to `table`: Go's unexported `readServices`.
///
/// Each line is `name port/network aliases... # comment`; fields are split at spaces, tabs
/// and CRs. The name and every alias map to the port; a later line wins. Lines whose second
/// field is not a positive decimal followed by `/` are skipped.
func parseServices(_ text: [UInt8], into table: inout ServiceTable) {
    for var line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
        if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
        let fields = line.split(omittingEmptySubsequences: true) {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r")
        }
        guard fields.count >= 2 else { continue }
        let portnet = fields[1]  // "80/tcp"
        guard let parsed = dtoi(portnet), parsed.value > 0,
              portnet.dropFirst(parsed.count).first == UInt8(ascii: "/") else { continue }
        let network = String(decoding: portnet.dropFirst(parsed.count + 1), as: UTF8.self)
        for (i, name) in fields.enumerated() where i != 1 {
            table[network, default: [:]][Array(name)] = parsed.value
        }
    }
}

/// Go's `dtoi` (src/net/parse.go): the leading decimal digits and how many there were; nil if
/// there are none or the value reaches 0xFFFFFF.
private func dtoi(_ s: ArraySlice<UInt8>) -> (value: Int, count: Int)? {
    var n = 0
    var count = 0
    for c in s {
        guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { break }
        n = n * 10 + Int(c - UInt8(ascii: "0"))
        if n >= 0xFFFFFF { return nil }
        count += 1
    }
    return count == 0 ? nil : (n, count)
}

/// Go's built-in table with the entries of the services file at `path`; the built-in table
/// alone if the file cannot be read. Blocks: run it on a thread of its own.
func readServices(_ path: String) -> ServiceTable {
    var table = builtinServices
    guard let fd = try? Syscall.open(path, O_RDONLY | O_CLOEXEC, 0) else { return table }
    defer { try? Syscall.close(fd) }
    var text: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while let n = try? Syscall.read(fd, &chunk), n > 0 {
        text += chunk[..<n]
    }
    parseServices(text, into: &table)
    return table
}

/// The system's table, /etc/services over Go's built-in one, read on first use on a thread of
/// its own and kept for the life of the process, as Go's `onceReadServices` does.
private let systemServicesCache = Mutex<ServiceTable?>(nil)

private func systemServices() async throws -> ServiceTable {
    if let table = systemServicesCache.withLock({ $0 }) { return table }
    // Two first callers may both read the file; the tables are the same.
    let table = try await runOnDedicatedThread { readServices("/etc/services") }
    systemServicesCache.withLock { $0 = table }
    return table
}
