// FDTable: NetPoll grows the process's fd table ahead of the fds it registers, on a thread of its
// own, so that no accept or dial waits for the kernel to grow it (an RCU grace period, tens of
// milliseconds, in a process with more than one thread). /proc/self/status's FDSize is the
// table's size.
import Glibc
@testable import NetPoll
import Syscall
import TestSupport
import Testing

@Suite struct FDTableSizingTests {
    @Test(arguments: [
        // (fd, soft limit, table to reserve)
        (3, 1 << 20, 4096),         // the first registration: the minimum
        (3, 1024, 1024),            // never past the limit
        (3, 100, 100),
        (255, 1 << 20, 4096),       // 16 x 255 = 4080
        (1024, 1 << 20, 16384),     // a quarter into 4096: four times the table
        (1025, 1 << 20, 32768),
        (4096, 20000, 20000),
        (0, 1 << 20, 4096),
    ])
    func reservation(fd: Int, limit: Int, table: Int) {
        #expect(FDTable.reservation(after: fd, limit: limit) == table)
    }

    @Test func nextReservationComesAtAQuarterUntilTheLimit() {
        #expect(FDTable.nextThreshold(after: 4096, limit: 1 << 20, for: 3) == 1024)
        #expect(FDTable.nextThreshold(after: 16384, limit: 20000, for: 1024) == 4096)
        #expect(FDTable.nextThreshold(after: 1024, limit: 1024, for: 256) == 1024, "only an fd past a raised limit asks again")
    }

    @Test func anFdPastALoweredLimitDoesNotAskAgainAndAgain() {
        // The table cannot be reserved past the limit, so the reservation does not cover the fd.
        let size = FDTable.reservation(after: 500, limit: 100)
        #expect(size == 100)
        #expect(FDTable.nextThreshold(after: size, limit: 100, for: 500) == 1001)
    }

    @Test func powersOfTwo() {
        #expect([1, 2, 3, 4, 5, 1000, 1024, 1025].map { FDTable.powerOfTwo(atLeast: $0) } == [1, 2, 4, 4, 8, 1024, 1024, 2048])
    }
}

@Suite(.fdLeakCheck) struct FDTableGrowthTests {
    /// The fd table's size now: FDSize in /proc/self/status.
    func fdTableSize() -> Int {
        procSelfStatus("FDSize").flatMap { Int($0) } ?? 0
    }

    @Test func registeringAnFdAQuarterIntoTheTableGrowsItAhead() throws {
        // Let any reservation another test started finish, and make room for a bigger table.
        #expect(waitUntil { !FDTable.isReserving })
        var files = try Syscall.getrlimit(Syscall.RLIMIT_NOFILE)
        if files.cur < files.max {
            files.cur = files.max
            try Syscall.setrlimit(Syscall.RLIMIT_NOFILE, files)
        }
        let limit = Int(min(files.cur, UInt64(Int32.max)))
        let before = fdTableSize()
        let at = max(FDTable.nextReservationAt, before / 4)
        guard at < limit - 1 else {
            // An earlier test registered enough fds (a sixteenth of the limit) for the table to
            // be reserved up to RLIMIT_NOFILE, and a table never shrinks: no growth is left to
            // watch, but the table must cover the limit (those fds alone would not have grown
            // it that far).
            #expect(before >= limit, "FDSize \(before) with every reservation made, RLIMIT_NOFILE \(limit)")
            return
        }

        let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(b) }
        // The registered fd is numbered `at` or just above.
        let high = try Syscall.fcntl(a, Syscall.F_DUPFD_CLOEXEC, Int32(at))
        try Syscall.close(a)
        let wanted = FDTable.reservation(after: Int(high), limit: limit)
        let tableWhenRegistered = fdTableSize()
        #expect(wanted > tableWhenRegistered, "the test needs a table the registration alone does not make")

        var registered = [try PollFD(high)]
        defer { for fd in registered { try? fd.close() } }
        // Another test's registration may have started a smaller reservation first; once it ends,
        // register again (a real registration, as an accept would make), a few times at most:
        // many more fds would grow the table on their own.
        let grew = waitUntil(timeout: .seconds(10)) {
            if fdTableSize() >= wanted { return true }
            if registered.count < 4 && !FDTable.isReserving && FDTable.nextReservationAt <= Int(high),
               let again = try? Syscall.fcntl(b, Syscall.F_DUPFD_CLOEXEC, Int32(at)),
               let pfd = try? PollFD(again) {
                registered.append(pfd)
            }
            return false
        }
        #expect(grew, "FDSize \(fdTableSize()), wanted \(wanted) after registering fd \(high)")
        #expect(FDTable.nextReservationAt > Int(high), "the next reservation waits for a higher fd")
    }
}
