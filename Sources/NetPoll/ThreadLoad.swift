// How much a thread ran, and how long it waited for a CPU while it could have run: the first two
// fields of /proc/self/task/TID/schedstat, in nanoseconds since the thread started. Balancer
// reads them for each poller thread.
//
// The wait is what tells a poller sharing its CPU with other busy threads (the clients on the
// same machine, say) from one that has a CPU to itself: both may run all the time, but only the
// first queues behind others. (The file needs the kernel's CONFIG_SCHED_INFO, which distribution
// kernels enable; without it there is nothing to read and nothing is moved.)

/// A poller thread's CPU time and run-queue wait so far.
struct ThreadLoad: Equatable {
    /// Nanoseconds spent running.
    var running: UInt64
    /// Nanoseconds spent runnable, waiting for a CPU.
    var waiting: UInt64

    /// Reads thread `tid` of this process; nil if the file is missing or unreadable.
    static func read(thread tid: Int32) -> ThreadLoad? {
        guard tid > 0, let text = readTextFile("/proc/self/task/\(tid)/schedstat") else { return nil }
        return parse(schedstat: text)
    }

    /// Parses "RUN WAIT SLICES\n"; nil unless the first two fields are numbers.
    static func parse(schedstat text: String) -> ThreadLoad? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, let running = UInt64(fields[0]), let waiting = UInt64(fields[1]) else { return nil }
        return ThreadLoad(running: running, waiting: waiting)
    }

    /// The CPU shares from `earlier` to this reading, over `interval`: 1.0 is a whole CPU.
    func shares(since earlier: ThreadLoad, over interval: Duration) -> BalancePolicy.Load {
        let seconds = interval / .seconds(1)
        guard seconds > 0, running >= earlier.running, waiting >= earlier.waiting else { return .init(running: 0, waiting: 0) }
        return .init(running: Double(running - earlier.running) / 1e9 / seconds,
                     waiting: Double(waiting - earlier.waiting) / 1e9 / seconds)
    }
}
