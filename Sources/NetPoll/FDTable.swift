// Keeps the process's fd table ahead of the fds NetPoll registers, so that an accept or a dial
// does not wait for the kernel to grow it.
//
// Linux keeps a process's open files in one table and doubles it when a new fd does not fit
// (fs/file.c, expand_fdtable). In a process with more than one thread, each growth first waits for
// an RCU grace period (synchronize_rcu): on the benchmark VM one growth took 11-26 ms with a
// second thread alive, 9 µs without. The thread that needed the fd waits that long, and when it
// is a poller accepting a burst, so does every connection it serves: a fresh server accepting
// 1,000 connections at once grew its table twice (256, 512, 1024) and its CPU stood idle for
// about 30 ms of a 55 ms burst.
//
// The table never shrinks, so duplicating an fd onto a high number and closing the copy grows it
// once, for good (tokio #2702; Firecracker and Cloud Hypervisor do it at start). NetPoll does it
// ahead of need: when a registered fd's number reaches a quarter of the table reserved so far, a
// short-lived thread reserves four times that. The grace period passes on that thread, and fds
// that fit the current table are handed out meanwhile: only a call that needs a bigger table
// waits for a growth in progress.
import Synchronization
import Syscall

package enum FDTable {
    /// The smallest table reserved (32 KiB of kernel memory): a first burst of a thousand
    /// accepts fits in its first quarter, so the next reservation is made before it is needed.
    /// Never more than the process's soft RLIMIT_NOFILE.
    package static let minimumReservation = 4096

    /// A registered fd numbered this or higher asks for a bigger table: 0 at first, so that the
    /// first registration reserves the minimum; Int.max while a reservation is being made.
    private static let threshold = Atomic<Int>(0)

    /// Notes an fd NetPoll has just registered. Costs one relaxed load, unless the fd's number
    /// has reached a quarter of the table reserved so far: then a thread is started to reserve
    /// a bigger one, and this returns at once.
    @inline(__always)
    package static func noteRegistered(_ fd: Int32) {
        let seen = threshold.load(ordering: .relaxed)
        if Int(fd) >= seen { reserve(after: Int(fd), threshold: seen) }
    }

    /// Whether a reservation is being made now (tests wait for it to end).
    package static var isReserving: Bool { threshold.load(ordering: .relaxed) == .max }

    /// The fd number at which the next reservation starts (for tests).
    package static var nextReservationAt: Int { threshold.load(ordering: .relaxed) }

    private static func reserve(after fd: Int, threshold seen: Int) {
        // One reservation at a time: whoever swaps the threshold for Int.max makes it.
        guard threshold.compareExchange(expected: seen, desired: .max, ordering: .relaxed).exchanged else { return }
        do {
            try startDetachedThread {
                let limit = openFileLimit()
                let size = reservation(after: fd, limit: limit)
                grow(to: size)
                threshold.store(nextThreshold(after: size, limit: limit, for: fd), ordering: .relaxed)
            }
        } catch {
            // No thread could be made (EAGAIN): the next registration this high tries again.
            threshold.store(seen, ordering: .relaxed)
        }
    }

    /// The table to reserve once `fd` is in use: the smallest power of two at least sixteen times
    /// the fd's number, so the next reservation comes when fds reach a quarter of it; at least
    /// `minimumReservation`, and at most `limit`, the fds the process may open.
    package static func reservation(after fd: Int, limit: Int) -> Int {
        let wanted = max(minimumReservation, powerOfTwo(atLeast: 16 * max(fd, 1)))
        return max(1, min(wanted, limit))
    }

    /// The fd number that asks for the next reservation after one of `size`, made for `fd`: a
    /// quarter of it; or, once the table holds every fd the process may open, the limit itself,
    /// which only an fd opened after the limit was raised can reach. Never below twice `fd`: an
    /// fd already past the limit (one opened before the limit was lowered, then registered)
    /// must not start a thread for every registration after it.
    package static func nextThreshold(after size: Int, limit: Int, for fd: Int) -> Int {
        max(size < limit ? size / 4 : size, 2 * fd + 1)
    }

    /// The smallest power of two that is at least `n` (n >= 1).
    static func powerOfTwo(atLeast n: Int) -> Int {
        n <= 1 ? 1 : 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount)
    }

    /// The soft RLIMIT_NOFILE, read at each reservation: a server may raise it after it starts
    /// (Go's os package raises it to the hard limit as a program starts).
    private static func openFileLimit() -> Int {
        guard let limit = try? Syscall.getrlimit(Syscall.RLIMIT_NOFILE) else { return minimumReservation }
        return Int(min(limit.cur, UInt64(Int32.max)))
    }

    /// Grows the table to hold `size` fds: duplicates a fresh eventfd onto the lowest free number
    /// from `size - 1` up, then closes both. A failure is left alone: the kernel still grows the
    /// table when an fd needs it, as it would without this.
    private static func grow(to size: Int) {
        guard let fd = try? Syscall.eventfd(0, Syscall.EFD_CLOEXEC) else { return }
        if let copy = try? Syscall.fcntl(fd, Syscall.F_DUPFD_CLOEXEC, Int32(clamping: size - 1)) {
            try? Syscall.close(copy)
        }
        try? Syscall.close(fd)
    }
}
