// Helpers for the Syscall tests. This is the only file of the target that imports Glibc: its
// AF_*/SO_* constants have the same names and types as Syscall's, so a file importing both must
// qualify every one. Here they are written `Syscall.AF_UNIX` and so on; the tests import Syscall only.
import Glibc
import Synchronization
import Syscall
import TestSupport

// MARK: bytes and fds

/// The UTF-8 bytes of a string.
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Closes every fd, ignoring errors: for `defer`.
func closeAll(_ fds: Int32...) {
    for fd in fds { _ = try? Syscall.close(fd) }
}

/// Puts 5 s receive and send timeouts on a socket, so a test blocked by a bug fails instead of hanging.
func bounded(_ fd: Int32, seconds: Int = 5) throws {
    let tv = Timeval(sec: seconds, usec: 0)
    try Syscall.setsockoptTimeval(fd, Syscall.SOL_SOCKET, Syscall.SO_RCVTIMEO, tv)
    try Syscall.setsockoptTimeval(fd, Syscall.SOL_SOCKET, Syscall.SO_SNDTIMEO, tv)
}

/// A unix socketpair of `type` with SOCK_CLOEXEC and 5 s timeouts on both ends.
func unixPair(_ type: Int32) throws -> (Int32, Int32) {
    let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, type | Syscall.SOCK_CLOEXEC, 0)
    do {
        try bounded(a)
        try bounded(b)
    } catch {
        closeAll(a, b)
        throw error
    }
    return (a, b)
}

/// A socket with SOCK_CLOEXEC and 5 s timeouts.
func boundedSocket(_ domain: Int32, _ type: Int32) throws -> Int32 {
    let fd = try Syscall.socket(domain, type | Syscall.SOCK_CLOEXEC, 0)
    do {
        try bounded(fd)
    } catch {
        closeAll(fd)
        throw error
    }
    return fd
}

// MARK: addresses

/// `::1` as sixteen bytes.
let loopback6: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]

/// 127.0.0.1 or [::1], port 0.
func loopback(_ family: Int32, port: Int = 0) -> any Sockaddr {
    family == Syscall.AF_INET6
        ? SockaddrInet6(port: port, addr: loopback6)
        : SockaddrInet4(port: port, addr: [127, 0, 0, 1])
}

/// Whether the kernel has an IPv6 loopback: a socket can bind [::1]:0.
let ipv6LoopbackAvailable: Bool = {
    guard let fd = try? Syscall.socket(Syscall.AF_INET6, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0) else {
        return false
    }
    defer { closeAll(fd) }
    return (try? Syscall.bind(fd, SockaddrInet6(port: 0, addr: loopback6))) != nil
}()

/// The name of a unix address, or nil if it is not one.
func unixName(_ sa: (any Sockaddr)?) -> String? { (sa as? SockaddrUnix)?.name }

private let uniqueCounter = Atomic<Int>(0)

/// An abstract unix name no other test or process uses: `@swiftnet-test-PID-N-tag`.
func uniqueAbstractName(_ tag: String) -> String {
    let n = uniqueCounter.add(1, ordering: .relaxed).newValue
    return "@swiftnet-test-\(getpid())-\(n)-\(tag)"
}

// MARK: connections

/// A listener with a client connected to it and the server side accepted; all have SOCK_CLOEXEC
/// and 5 s timeouts. `close()` closes all three.
struct Connection {
    var listener: Int32
    var client: Int32
    var server: Int32

    func close() { closeAll(client, server, listener) }
}

/// A connection over TCP on the loopback of `family` (AF_INET or AF_INET6).
func loopbackTCP(_ family: Int32) throws -> Connection {
    try connection(family, Syscall.SOCK_STREAM, loopback(family))
}

/// A connection of `type` (SOCK_STREAM or SOCK_SEQPACKET) on a unix address.
func unixConnection(_ type: Int32, _ address: SockaddrUnix) throws -> Connection {
    try connection(Syscall.AF_UNIX, type, address)
}

private func connection(_ family: Int32, _ type: Int32, _ address: any Sockaddr) throws -> Connection {
    let listener = try boundedSocket(family, type)
    var client: Int32 = -1
    do {
        try Syscall.bind(listener, address)
        try Syscall.listen(listener, 16)
        let bound = try Syscall.getsockname(listener)
        client = try boundedSocket(family, type)
        try Syscall.connect(client, bound)
        let (server, _) = try Syscall.accept4(listener, Syscall.SOCK_CLOEXEC)
        try bounded(server)
        return Connection(listener: listener, client: client, server: server)
    } catch {
        closeAll(listener, client)
        throw error
    }
}

// MARK: process identity and files

/// This process's pid, uid and gid, as SO_PEERCRED and SCM_CREDENTIALS report them.
func ourCredentials() -> Ucred { Ucred(pid: getpid(), uid: getuid(), gid: getgid()) }

/// Creates a symbolic link; false if symlink(2) failed.
func makeSymlink(target: String, at path: String) -> Bool { symlink(target, path) == 0 }

/// The process umask, from the Umask line of /proc/self/status (reading it with umask(2) would
/// change it for a moment under the other tests' feet).
func currentUmask() -> UInt32 {
    for line in readSmallFile("/proc/self/status", capacity: 8192).split(separator: "\n")
    where line.hasPrefix("Umask:") {
        return UInt32(line.dropFirst(6).trimmingPrefix(while: \.isWhitespace), radix: 8) ?? 0o022
    }
    return 0o022
}

// MARK: threads of our own, for calls that block

private final class ThreadStart: @unchecked Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

private final class Slot<R: Sendable>: Sendable {
    let value = Mutex<R?>(nil)
}

/// A pthread (not a pool thread) running `body`, with SIGUSR1 unblocked so tests can interrupt it.
final class Spawned<R: Sendable>: Sendable {
    let handle: pthread_t
    private let slot: Slot<R>

    init(_ body: @escaping @Sendable () -> R) {
        let slot = Slot<R>()
        let start = ThreadStart {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            let result = body()
            slot.value.withLock { $0 = result }
        }
        let context = Unmanaged.passRetained(start).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        self.handle = handle
        self.slot = slot
    }

    /// Sends SIGUSR1 to the thread.
    func interrupt() { pthread_kill(handle, SIGUSR1) }

    /// Waits for the thread to end and returns what `body` returned.
    func join() -> R {
        pthread_join(handle, nil)
        return slot.value.withLock { $0! }
    }

    /// Whether `body` has returned.
    var finished: Bool { slot.value.withLock { $0 != nil } }
}


/// Whether some thread of this process is blocked in a system call whose first argument is `fd`,
/// from /proc/self/task/TID/syscall ("NR 0xFD ..." while in a call, "running" otherwise).
func threadBlocked(on fd: Int32) -> Bool {
    guard let dir = opendir("/proc/self/task") else { return false }
    defer { closedir(dir) }
    let wanted = "0x" + String(fd, radix: 16)
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard Int(name) != nil else { continue }
        let fields = readSmallFile("/proc/self/task/\(name)/syscall").split(separator: " ")
        if fields.count > 1, fields[0] != "running", fields[1] == wanted { return true }
    }
    return false
}

private func readSmallFile(_ path: String, capacity: Int = 512) -> String {
    let fd = Glibc.open(path, Glibc.O_RDONLY | Glibc.O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { Glibc.close(fd) }
    var buf = [UInt8](repeating: 0, count: capacity)
    let n = Glibc.read(fd, &buf, buf.count)
    return n > 0 ? String(decoding: buf[..<n], as: UTF8.self) : ""
}

// MARK: signals

/// How many times the SIGUSR1 handler installed by `withInterruptingSIGUSR1` has started.
let sigusr1Count = Atomic<Int>(0)
/// How many times it has returned.
let sigusr1Returns = Atomic<Int>(0)
/// How long the handler sleeps before it returns, in nanoseconds, so a test can let the kernel
/// make progress between an interrupted call and its retry.
let sigusr1HandlerDelay = Atomic<Int>(0)

/// Runs `body` with a SIGUSR1 handler installed WITHOUT SA_RESTART, so a signal makes a blocked
/// socket call fail with EINTR; restores the previous handler afterwards.
func withInterruptingSIGUSR1<R>(_ body: () throws -> R) rethrows -> R {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
        sigusr1Count.add(1, ordering: .sequentiallyConsistent)
        let delay = sigusr1HandlerDelay.load(ordering: .sequentiallyConsistent)
        if delay > 0 {
            // nanosleep is async-signal-safe.
            var ts = timespec(tv_sec: delay / 1_000_000_000, tv_nsec: delay % 1_000_000_000)
            nanosleep(&ts, nil)
        }
        sigusr1Returns.add(1, ordering: .sequentiallyConsistent)
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    var old = sigaction()
    precondition(sigaction(SIGUSR1, &action, &old) == 0)
    defer { sigaction(SIGUSR1, &old, nil) }
    return try body()
}

/// read(2) straight from Glibc, with no retry: the result and errno.
func rawRead(_ fd: Int32, count: Int) -> (result: Int, errno: Int32) {
    var buf = [UInt8](repeating: 0, count: count)
    let n = Glibc.read(fd, &buf, count)
    return (n, n < 0 ? errno : 0)
}

/// accept(2) straight from Glibc, with no retry: the result (closed at once if it is an fd) and errno.
func rawAccept(_ fd: Int32) -> (result: Int32, errno: Int32) {
    var storage = sockaddr_storage()
    var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let n = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &len) }
    }
    let err = n < 0 ? errno : 0
    if n >= 0 { Glibc.close(n) }
    return (n, err)
}
