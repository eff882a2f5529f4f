// IPv6 zones: the interface name in "fe80::1%eth0" and the kernel's numeric scope id.
import Glibc

/// An IPv6 zone (interface name, or a decimal index) as the kernel's scope id; 0 if unknown.
func zoneIndex(_ zone: String) -> UInt32 {
    if zone.isEmpty { return 0 }
    let index = if_nametoindex(zone)
    if index != 0 { return index }
    return UInt32(zone) ?? 0
}

/// A scope id as a zone: the interface's name, or the number if no interface has it.
func zoneName(_ index: UInt32) -> String {
    if index == 0 { return "" }
    var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
    if if_indextoname(index, &name) != nil {
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return String(index)
}
