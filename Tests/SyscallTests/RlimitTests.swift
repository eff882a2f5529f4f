// getrlimit and setrlimit, against the kernel's own checks. The soft limit is set back to what
// it was, never lowered: other tests in this process hold fds.
import Syscall
import Testing

@Suite struct RlimitTests {
    @Test func openFileLimitReadsSoftAndHard() throws {
        let files = try Syscall.getrlimit(RLIMIT_NOFILE)
        #expect(files.cur > 3, "stdin, stdout and stderr alone take three")
        #expect(files.cur <= files.max)
    }

    @Test func settingTheSameLimitReadsItBack() throws {
        let files = try Syscall.getrlimit(RLIMIT_NOFILE)
        try Syscall.setrlimit(RLIMIT_NOFILE, files)
        #expect(try Syscall.getrlimit(RLIMIT_NOFILE) == files)
    }

    @Test func softAboveHardIsInvalidArgument() throws {
        let files = try Syscall.getrlimit(RLIMIT_NOFILE)
        try #require(files.max != RLIM_INFINITY, "no soft limit can exceed an unlimited hard one")
        let error = #expect(throws: Errno.EINVAL) {
            try Syscall.setrlimit(RLIMIT_NOFILE, Rlimit(cur: files.max + 1, max: files.max))
        }
        #expect(error?.description == "invalid argument")
        #expect(try Syscall.getrlimit(RLIMIT_NOFILE) == files, "a refused limit changes nothing")
    }

    @Test func unknownResourceIsInvalidArgument() {
        #expect(throws: Errno.EINVAL) { try Syscall.getrlimit(999) }
    }
}
