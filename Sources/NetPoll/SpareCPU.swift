// How much CPU the machine has to spare: the idle time of the CPUs this process may use, from
// /proc/stat, over the last tenth of a second or so. Placement asks it whether a second poller
// thread would find a CPU of its own, or would only share a busy one (see Placement).
//
// The figure is refreshed lazily, by whichever caller finds it older than the interval; the
// others use the last one rather than wait. /proc/stat counts in clock ticks (USER_HZ, 100 a
// second), so a tenth of a second is about ten ticks per CPU: enough to tell an idle CPU from a
// busy one, which is all the question needs.
import Synchronization

package enum SpareCPU {
    /// How old the figure may get before the next caller refreshes it.
    static let refreshInterval: Duration = .milliseconds(100)

    /// Idle and total ticks summed over some CPUs, and how many CPUs were counted.
    struct Ticks: Equatable {
        var idle: UInt64
        var total: UInt64
        var cpus: Int
    }

    private struct Sample {
        var at: ContinuousClock.Instant
        var ticks: Ticks
    }

    private static let lastSample = Mutex<Sample?>(nil)
    /// The latest figure in thousandths of a CPU; Int.max until two samples have been taken
    /// (nothing is known, so nothing is assumed busy).
    private static let spareMilliCPUs = Atomic<Int>(.max)

    /// A figure tests set so placement does not depend on how busy the machine is; nil (the
    /// default) reads /proc/stat.
    private static let pretended = Atomic<Int>(.min)

    /// Makes `current()` answer `spare` until called again with nil. For tests.
    package static func pretend(_ spare: Double?) {
        pretended.store(spare.map { Int($0 * 1000) } ?? .min, ordering: .relaxed)
    }

    /// Idle CPUs among those this process may use, as a number of CPUs: 1.5 is one idle CPU and
    /// half of another. Infinity until known (the first call takes the first sample).
    package static func current() -> Double {
        let pretend = pretended.load(ordering: .relaxed)
        if pretend != .min { return Double(pretend) / 1000 }
        let now = ContinuousClock.now
        _ = lastSample.withLockIfAvailable { last in
            if let previous = last, previous.at.duration(to: now) < refreshInterval { return }
            guard let text = readTextFile("/proc/stat"), let ticks = ticks(inProcStat: text, cpus: CPUs.allowedList) else { return }
            if let previous = last, let spare = spareCPUs(from: previous.ticks, to: ticks) {
                spareMilliCPUs.store(Int(spare * 1000), ordering: .relaxed)
            }
            last = Sample(at: now, ticks: ticks)
        }
        let milli = spareMilliCPUs.load(ordering: .relaxed)
        return milli == .max ? .infinity : Double(milli) / 1000
    }

    /// Sums the "cpuN" lines of /proc/stat for the given CPUs: idle is idle plus iowait (a CPU
    /// waiting for a disk runs nothing), total is every field up to steal. guest and guest_nice
    /// are left out, as the kernel already counts them in user and nice. Nil if none of the CPUs
    /// has a line (or `cpus` is empty).
    ///
    /// The kernel writes the cpu lines first; the parse stops at the first other line, so it
    /// never splits the "intr" line, one counter per interrupt, which is most of the file.
    static func ticks(inProcStat text: String, cpus: [Int]) -> Ticks? {
        let wanted = Set(cpus)
        var sum = Ticks(idle: 0, total: 0, cpus: 0)
        var rest = Substring(text)
        while rest.hasPrefix("cpu") {
            let end = rest.firstIndex(of: "\n") ?? rest.endIndex
            let line = rest[..<end]
            rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
            let fields = line.split(separator: " ")
            // "cpu" alone is the machine's total; "cpu3" is CPU 3.
            guard let cpu = Int(fields[0].dropFirst(3)), wanted.contains(cpu) else { continue }
            let values = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
            guard values.count >= 5 else { continue }
            sum.idle += values[3] + values[4]
            sum.total += values.reduce(0, +)
            sum.cpus += 1
        }
        return sum.cpus > 0 ? sum : nil
    }

    /// The idle share of the ticks between two samples, times the number of CPUs: the CPUs that
    /// went unused. Nil when no tick passed (or the counters went backwards).
    static func spareCPUs(from earlier: Ticks, to later: Ticks) -> Double? {
        guard later.total > earlier.total, later.idle >= earlier.idle else { return nil }
        let idle = Double(later.idle - earlier.idle) / Double(later.total - earlier.total)
        return min(idle, 1) * Double(later.cpus)
    }
}
