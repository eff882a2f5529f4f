// The few file calls the socket programs need: open, seek, pread, fstat, lstat and unlink.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct FileTests {
    @Test func openWriteSeekPreadStatUnlink() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("data.txt")
        let fd = try Syscall.open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { closeAll(fd) }
        #expect(try Syscall.isCloseOnExec(fd))
        #expect(try Syscall.write(fd, bytes("hello world")) == 11)
        #expect(try Syscall.seek(fd, 0, SEEK_CUR) == 11)

        // pread reads at an offset and leaves the file offset alone.
        var word = [UInt8](repeating: 0, count: 5)
        #expect(try Syscall.pread(fd, &word, 6) == 5)
        #expect(word == bytes("world"))
        #expect(try Syscall.pread(fd, &word, 9) == 2, "short at end of file")
        #expect(Array(word[..<2]) == bytes("ld"))
        #expect(try Syscall.pread(fd, &word, 100) == 0, "past the end")
        #expect(try Syscall.seek(fd, 0, SEEK_CUR) == 11)

        #expect(try Syscall.seek(fd, 0, SEEK_SET) == 0)
        var head = [UInt8](repeating: 0, count: 5)
        #expect(try Syscall.read(fd, &head) == 5)
        #expect(head == bytes("hello"))
        #expect(try Syscall.seek(fd, -3, SEEK_END) == 8)
        #expect(try Syscall.read(fd, &head) == 3)
        #expect(Array(head[..<3]) == bytes("rld"))
        #expect(try Syscall.seek(fd, 1 << 33, SEEK_SET) == 1 << 33, "64-bit offsets")
        #expect(throws: Errno.EINVAL) { try Syscall.seek(fd, -1, SEEK_SET) }

        let st = try Syscall.fstat(fd)
        #expect(st.size == 11)
        #expect(st.isRegular && !st.isSocket)
        #expect(st.permissions == 0o600 & ~currentUmask())
        let byPath = try Syscall.lstat(path)
        #expect(byPath.dev == st.dev && byPath.ino == st.ino)
        #expect(byPath == st)

        try Syscall.unlink(path)
        #expect(throws: Errno.ENOENT) { try Syscall.lstat(path) }
        #expect(throws: Errno.ENOENT) { try Syscall.unlink(path) }
        #expect(throws: Errno.ENOENT) { try Syscall.open(path, O_RDONLY | O_CLOEXEC, 0) }
        // The open fd still reads the unlinked file.
        #expect(try Syscall.pread(fd, &head, 0) == 5)
    }

    @Test func openPermissionsFollowTheMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fd = try Syscall.open(dir.path("ro"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        defer { closeAll(fd) }
        #expect(try Syscall.fstat(fd).permissions == 0o640 & ~currentUmask())
    }

    @Test func chmodAndFchmodSetThePermissionBits() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("mode")
        let fd = try Syscall.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        defer { closeAll(fd) }
        try Syscall.chmod(path, 0o604)
        #expect(try Syscall.lstat(path).permissions == 0o604, "chmod is not masked by the umask")
        try Syscall.fchmod(fd, 0o640)
        #expect(try Syscall.fstat(fd).permissions == 0o640)
        #expect(throws: Errno.ENOENT) { try Syscall.chmod(dir.path("none"), 0o600) }
    }

    @Test func fchmodBeforeBindSetsTheSocketFilesMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("private.sock")
        let fd = try boundedSocket(AF_UNIX, SOCK_STREAM)
        defer { closeAll(fd) }
        try Syscall.fchmod(fd, 0o600)
        try Syscall.bind(fd, SockaddrUnix(name: path))
        let st = try Syscall.lstat(path)
        #expect(st.isSocket)
        #expect(st.permissions == 0o600 & ~currentUmask())
    }

    @Test func lstatDoesNotFollowASymlink() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let target = dir.path("target")
        let link = dir.path("link")
        let fd = try Syscall.open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        closeAll(fd)
        try #require(makeSymlink(target: target, at: link))
        let st = try Syscall.lstat(link)
        #expect(st.mode & 0o170000 == 0o120000, "a symbolic link")
        #expect(!st.isRegular)
        #expect(st.ino != (try Syscall.lstat(target)).ino)
        #expect(throws: Errno.ENOTDIR) { try Syscall.lstat(target + "/x") }
    }

    @Test func fstatOfSocketsAndPipes() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let (r, w) = try Syscall.pipe2(O_CLOEXEC)
        defer { closeAll(a, b, r, w) }
        #expect(try Syscall.fstat(a).isSocket)
        #expect(try Syscall.fstat(a).ino != Syscall.fstat(b).ino, "two sockets")
        let pipe = try Syscall.fstat(r)
        #expect(pipe.mode & 0o170000 == 0o010000, "a FIFO")
        #expect(pipe.ino == (try Syscall.fstat(w)).ino, "both ends are one pipe")
        #expect(throws: Errno(rawValue: 29)) { try Syscall.seek(a, 0, SEEK_CUR) }  // ESPIPE
    }

    @Test func openErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: Errno.ENOENT) { try Syscall.open(dir.path("none"), O_RDONLY | O_CLOEXEC, 0) }
        #expect(throws: Errno.EISDIR) { try Syscall.open(dir.root, O_WRONLY | O_CLOEXEC, 0) }
        #expect(throws: Errno.EBADF) { try Syscall.fstat(-1) }
    }

    @Test func pathsWithANulByteAreEINVALAsInGo() throws {
        // Go's syscall turns every path into a C string with BytePtrFromString, which refuses a
        // NUL byte (EINVAL). Cut at the NUL instead, these calls would act on another file.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keep = dir.path("keep")
        let fd = try Syscall.open(keep, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        closeAll(fd)
        let withNul = keep + "\0.sock"
        #expect(throws: Errno.EINVAL) { try Syscall.unlink(withNul) }
        #expect(try Syscall.lstat(keep).isRegular, "the file named by the prefix is still there")
        #expect(throws: Errno.EINVAL) { try Syscall.lstat(withNul) }
        #expect(throws: Errno.EINVAL) { try Syscall.chmod(withNul, 0o666) }
        #expect(try Syscall.lstat(keep).permissions == 0o600 & ~currentUmask(), "mode unchanged")
        let opened = Result { () throws(Errno) in try Syscall.open(withNul, O_RDONLY | O_CLOEXEC, 0) }
        if case .success(let fd) = opened { closeAll(fd) }
        #expect(throws: Errno.EINVAL) { try opened.get() }
    }
}
