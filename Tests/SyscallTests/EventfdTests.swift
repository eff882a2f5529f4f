// eventfd: a kernel counter. Writes add, a read returns the total and resets it (or takes one
// with EFD_SEMAPHORE); a non-blocking read of zero is EAGAIN.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct EventfdTests {
    @Test func writesAddAndAReadResets() throws {
        let efd = try Syscall.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)
        defer { closeAll(efd) }
        #expect(try Syscall.isCloseOnExec(efd))
        #expect(try Syscall.isNonblock(efd))
        let error = #expect(throws: Errno.EAGAIN) { try Syscall.eventfdRead(efd) }
        #expect(error?.timeout == true)
        try Syscall.eventfdWrite(efd, 3)
        try Syscall.eventfdWrite(efd, 4)
        #expect(try Syscall.eventfdRead(efd) == 7)
        #expect(throws: Errno.EAGAIN) { try Syscall.eventfdRead(efd) }
    }

    @Test func initialValueIsReadable() throws {
        let efd = try Syscall.eventfd(5, EFD_CLOEXEC | EFD_NONBLOCK)
        defer { closeAll(efd) }
        #expect(try Syscall.eventfdRead(efd) == 5)
    }

    @Test func largeValuesKeepAll64Bits() throws {
        let efd = try Syscall.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)
        defer { closeAll(efd) }
        let big: UInt64 = 0x1234_5678_9abc_def0
        try Syscall.eventfdWrite(efd, big)
        #expect(try Syscall.eventfdRead(efd) == big)
        // The counter's maximum is 2^64 - 2; writing 2^64 - 1 is invalid.
        #expect(throws: Errno.EINVAL) { try Syscall.eventfdWrite(efd, UInt64.max) }
        try Syscall.eventfdWrite(efd, UInt64.max - 1)
        #expect(throws: Errno.EAGAIN) { try Syscall.eventfdWrite(efd, 1) }
        #expect(try Syscall.eventfdRead(efd) == UInt64.max - 1)
    }

    @Test func semaphoreModeTakesOneAtATime() throws {
        let efd = try Syscall.eventfd(2, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE)
        defer { closeAll(efd) }
        #expect(try Syscall.eventfdRead(efd) == 1)
        #expect(try Syscall.eventfdRead(efd) == 1)
        #expect(throws: Errno.EAGAIN) { try Syscall.eventfdRead(efd) }
    }

    @Test func withoutFlagsItIsBlockingAndInheritable() throws {
        let efd = try Syscall.eventfd(1, 0)
        defer { closeAll(efd) }
        #expect(try !Syscall.isNonblock(efd))
        #expect(try !Syscall.isCloseOnExec(efd))
        #expect(try Syscall.eventfdRead(efd) == 1)
    }
}
