// Close and the epoll registration: close(2) drops it with the last reference to the open file,
// so PollFD skips EPOLL_CTL_DEL unless the fd may have a duplicate; a registration left by a
// duplicate is taken over if the number comes back. Checked against the kernel's own list
// (/proc/self/fdinfo of each epoll fd).
import Glibc
@testable import NetPoll
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct PollFDRegistrationTests {
    @Test func closeLeavesNoRegistration() throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        let number = a.sysfd
        #expect(epollRegistrations(of: number) == 1)
        try a.close()
        #expect(epollRegistrations(of: number) == 0)
    }

    /// A duplicate keeps the open file alive, and with it an epoll registration that close(2)
    /// cannot drop: a shared fd's close removes it explicitly.
    @Test func sharedFDIsDeregisteredThoughADuplicateLives() throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        let number = a.sysfd
        a.markShared()
        let duplicate = try Syscall.dupCloseOnExec(number)
        defer { try? Syscall.close(duplicate) }
        try a.close()
        #expect(epollRegistrations(of: number) == 0)
    }

    /// The kernel's behaviour the shared flag exists for, and the fallback should the flag be
    /// missed: the same open file back under the same number registers again (EEXIST turns into
    /// EPOLL_CTL_MOD) and its reads are woken.
    @Test func staleRegistrationIsTakenOver() async throws {
        let (a, b) = try pollPair()
        defer { try? b.close() }
        let number = a.sysfd
        let duplicate = try Syscall.dupCloseOnExec(number)
        try a.close()   // not shared: no EPOLL_CTL_DEL
        #expect(epollRegistrations(of: number) == 1, "a duplicate keeps the registration alive")

        #expect(dup2(duplicate, number) == number)
        try Syscall.closeOnExec(number)
        try Syscall.close(duplicate)
        let again = try PollFD(number)
        defer { try? again.close() }
        #expect(epollRegistrations(of: number) == 1)
        async let got = again.read(16)
        try await Task.sleep(for: .milliseconds(20))
        try await b.write(Array("back".utf8))
        #expect(try await got == Array("back".utf8))
    }
}
