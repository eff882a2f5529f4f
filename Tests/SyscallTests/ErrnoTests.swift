// Errno's text and classification are facts about Go: the expected values below were printed by
// Go 1.19 (`syscall.Errno(n).Error()`, `.Timeout()`, `.Temporary()`, linux/amd64) and pasted here.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct ErrnoTests {
    /// (errno, Go's Error() text). Includes numbers Go has no name for (0, 41, 58, 133 and up).
    static let goTexts: [(Int32, String)] = [
        (0, "errno 0"),
        (1, "operation not permitted"),
        (2, "no such file or directory"),
        (4, "interrupted system call"),
        (9, "bad file descriptor"),
        (11, "resource temporarily unavailable"),
        (13, "permission denied"),
        (17, "file exists"),
        (22, "invalid argument"),
        (23, "too many open files in system"),
        (24, "too many open files"),
        (32, "broken pipe"),
        (38, "function not implemented"),
        (41, "errno 41"),
        (58, "errno 58"),
        (88, "socket operation on non-socket"),
        (95, "operation not supported"),
        (97, "address family not supported by protocol"),
        (98, "address already in use"),
        (99, "cannot assign requested address"),
        (101, "network is unreachable"),
        (103, "software caused connection abort"),
        (104, "connection reset by peer"),
        (107, "transport endpoint is not connected"),
        (110, "connection timed out"),
        (111, "connection refused"),
        (113, "no route to host"),
        (115, "operation now in progress"),
        (132, "operation not possible due to RF-kill"),
        (133, "errno 133"),
        (134, "errno 134"),
        (200, "errno 200"),
    ]

    @Test(arguments: goTexts)
    func descriptionIsGosText(_ number: Int32, _ text: String) {
        let e = Errno(rawValue: number)
        #expect(e.description == text)
        #expect("\(e)" == text)
        #expect(String(describing: e as any Error) == text)
    }

    /// (errno, Go's Timeout(), Go's Temporary()).
    static let goClassification: [(Int32, Bool, Bool)] = [
        (0, false, false),
        (1, false, false),
        (4, false, true),     // EINTR
        (11, true, true),     // EAGAIN
        (23, false, true),    // ENFILE
        (24, false, true),    // EMFILE
        (32, false, false),   // EPIPE
        (103, false, false),  // ECONNABORTED
        (104, false, false),  // ECONNRESET
        (110, true, true),    // ETIMEDOUT
        (111, false, false),  // ECONNREFUSED
        (115, false, false),  // EINPROGRESS
    ]

    @Test(arguments: goClassification)
    func timeoutAndTemporaryMatchGo(_ number: Int32, _ timeout: Bool, _ temporary: Bool) {
        let e = Errno(rawValue: number)
        #expect(e.timeout == timeout)
        #expect(e.temporary == temporary)
    }

    @Test func namedConstantsHaveLinuxNumbers() {
        let table: [(Errno, Int32)] = [
            (.EPERM, 1), (.ENOENT, 2), (.EINTR, 4), (.EBADF, 9), (.EAGAIN, 11), (.EWOULDBLOCK, 11),
            (.ENOMEM, 12), (.EACCES, 13), (.EEXIST, 17), (.EINVAL, 22), (.ENFILE, 23), (.EMFILE, 24),
            (.EPIPE, 32), (.ENAMETOOLONG, 36), (.ENOTSOCK, 88), (.EMSGSIZE, 90), (.ENOPROTOOPT, 92),
            (.EOPNOTSUPP, 95), (.EAFNOSUPPORT, 97), (.EADDRINUSE, 98), (.EADDRNOTAVAIL, 99),
            (.ECONNABORTED, 103), (.ECONNRESET, 104), (.EISCONN, 106), (.ENOTCONN, 107),
            (.ETIMEDOUT, 110), (.ECONNREFUSED, 111), (.EALREADY, 114), (.EINPROGRESS, 115),
        ]
        for (e, number) in table {
            #expect(e.rawValue == number, "\(e)")
        }
    }

    @Test func equalityAndHashingFollowTheNumber() {
        #expect(Errno.EAGAIN == Errno.EWOULDBLOCK)
        #expect(Errno(rawValue: 111) == .ECONNREFUSED)
        #expect(Set([Errno.EAGAIN, .EWOULDBLOCK, Errno(rawValue: 11)]).count == 1)
        #expect(Errno.EPIPE != .ECONNRESET)
    }
}
