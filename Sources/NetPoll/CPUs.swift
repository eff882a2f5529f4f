// Which CPUs this process may run on: the affinity mask, which `taskset` and cgroup cpusets
// narrow, not the machine's total. Go sizes GOMAXPROCS the same way (sched_getaffinity).

enum CPUs {
    /// The CPU numbers in this process's affinity mask, read once from /proc/self/status
    /// ("Cpus_allowed_list: 0-3,6"); empty if it cannot be read.
    static let allowedList: [Int] = procSelfStatus("Cpus_allowed_list").map { cpus(in: $0) } ?? []

    /// The number of CPUs in the affinity mask; 1 if it cannot be read.
    static let allowed: Int = max(1, allowedList.count)

    /// The CPU numbers in a list such as "0-3,6".
    static func cpus(in list: Substring) -> [Int] {
        var numbers: [Int] = []
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: " \t")) }
            if bounds.count == 2, bounds[0] <= bounds[1] {
                numbers += bounds[0]...bounds[1]
            } else if bounds.count == 1 {
                numbers.append(bounds[0])
            }
        }
        return numbers
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
