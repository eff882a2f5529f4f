// Network names: Go's parseNetwork (dial.go) and the IP protocol table (lookup.go,
// lookup_unix.go). Twelve plain names, plus "ip:PROTO", "ip4:PROTO" and "ip6:PROTO".
import NetPoll
import Synchronization
import Syscall

/// Splits a network name into its family part and IP protocol: Go's parseNetwork.
///
/// Accepts tcp, tcp4, tcp6, udp, udp4, udp6, unix, unixgram, unixpacket; ip, ip4 and ip6 only
/// where no protocol is needed; and "ip:1", "ip4:icmp", "ip6:ipv6-icmp" (a number is taken as
/// is; a name is looked up in /etc/protocols, then Go's built-in table). Case matters: "TCP" is
/// an unknown network, as in Go.
func parseNetwork(_ network: String, needsProto: Bool) throws -> (afnet: String, proto: Int32) {
    guard let colon = network.lastIndex(of: ":") else {
        switch network {
        case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram", "unixpacket":
            return (network, 0)
        case "ip", "ip4", "ip6":
            if needsProto { throw UnknownNetworkError(network) }
            return (network, 0)
        default:
            throw UnknownNetworkError(network)
        }
    }
    let afnet = String(network[..<colon])
    switch afnet {
    case "ip", "ip4", "ip6":
        let protocolName = String(network[network.index(after: colon)...])
        // Go's dtoi gives up at 0xFFFFFF ("big"); such a number then fails the name lookup.
        if !protocolName.isEmpty, protocolName.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
           let number = Int32(protocolName), number < 0xFF_FFFF {
            return (afnet, number)
        }
        return (afnet, try lookupProtocol(protocolName))
    default:
        throw UnknownNetworkError(network)
    }
}

/// An IP protocol number by name, case-insensitively: Go's lookupProtocol.
func lookupProtocol(_ name: String) throws -> Int32 {
    // Go copies the name into a 25-byte buffer; a longer name can never match.
    let maxProtocolLength = 25
    let lower = name.lowercased()
    guard name.utf8.count <= maxProtocolLength, let number = ipProtocols[lower] else {
        throw AddrError(err: "unknown IP protocol specified", addr: name)
    }
    return number
}

/// /etc/protocols (first entry wins for each name and alias), then Go's built-in five.
private let ipProtocols: [String: Int32] = {
    var table: [String: Int32] = ["icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58]
    for line in readTextFile("/etc/protocols")?.split(separator: "\n") ?? [] {
        let fields = line.prefix { $0 != "#" }.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2, let number = Int32(fields[1]) else { continue }
        for name in [fields[0]] + fields[2...] where table[String(name)] == nil {
            table[String(name)] = number
        }
    }
    return table
}()

/// The socket type for a unix network name.
func unixSocketType(_ network: String) -> Int32? {
    switch network {
    case "unix": return Syscall.SOCK_STREAM
    case "unixgram": return Syscall.SOCK_DGRAM
    case "unixpacket": return Syscall.SOCK_SEQPACKET
    default: return nil
    }
}
