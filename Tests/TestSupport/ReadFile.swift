// Reading a whole file, /proc files included, for tests that check what is on disk or what the
// kernel reports.
import Syscall

/// The whole content of the file at `path`.
///
/// ```swift
/// let table = String(decoding: try readFile("/proc/net/unix"), as: UTF8.self)
/// ```
public func readFile(_ path: String) throws -> [UInt8] {
    let fd = try Syscall.open(path, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0)
    defer { try? Syscall.close(fd) }
    var content: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = try Syscall.pread(fd, &buffer, Int64(content.count))
        if n == 0 { return content }
        content += buffer[..<n]
    }
}
