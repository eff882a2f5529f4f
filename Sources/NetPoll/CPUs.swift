// How many CPUs this process may run on: the affinity mask, which `taskset` and cgroup cpusets
// narrow, not the machine's total. Go sizes GOMAXPROCS the same way (sched_getaffinity).
import Syscall

enum CPUs {
    /// The number of CPUs in this process's affinity mask, read once from /proc/self/status
    /// ("Cpus_allowed_list: 0-3,6"); 1 if it cannot be read.
    static let allowed: Int = {
        guard let fd = try? Syscall.open("/proc/self/status", Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0) else { return 1 }
        defer { try? Syscall.close(fd) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let n = try? Syscall.read(fd, &buffer), n > 0 { text += buffer[..<n] }
        let status = String(decoding: text, as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return 1 }
        return max(1, countCPUs(in: line.dropFirst("Cpus_allowed_list:".count)))
    }()

    /// Counts the CPUs in a list such as "0-3,6".
    static func countCPUs(in list: Substring) -> Int {
        var count = 0
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: " \t")) }
            if bounds.count == 2 { count += max(0, bounds[1] - bounds[0] + 1) } else if bounds.count == 1 { count += 1 }
        }
        return count
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return s
    }
}
