// Reading a small text file whole: /proc and /etc files that SwiftNet consults (the affinity
// mask, CPU times, somaxconn, /etc/protocols). NetPoll holds it because it is the lowest layer
// that needs it; Net uses the same one.
import Syscall

/// A small text file read whole with Syscall, or nil if it cannot be opened. /proc files are
/// generated on each read, so they are read to the end rather than sized first.
package func readTextFile(_ path: String) -> String? {
    guard let fd = try? Syscall.open(path, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0) else { return nil }
    defer { try? Syscall.close(fd) }
    var content: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    while let n = try? Syscall.read(fd, &buffer), n > 0 { content += buffer[..<n] }
    return String(decoding: content, as: UTF8.self)
}

/// The value of one field of /proc/self/status ("FDSize:\t256" gives "256"), without the
/// surrounding blanks; nil if the file or the field is missing.
package func procSelfStatus(_ field: String) -> Substring? {
    guard let status = readTextFile("/proc/self/status"),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
    else { return nil }
    return line.dropFirst(field.count + 1).drop(while: { $0 == " " || $0 == "\t" })
}
