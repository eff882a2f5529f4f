// The only file in Syscall that calls Glibc's socket functions or CSocketShim's macros.
// Everything else in the module goes through these `system_*` functions, and every one of them
// goes through `retrying(_:)` (or `once(_:)` for close), so errno handling lives in one place.
import CSocketShim
import Glibc

/// Runs one system call, retrying while it fails with EINTR, and throws the errno of any other failure.
///
/// `@inline(never)` keeps errno's read right after the call: nothing (no ARC release, no other
/// call) can run in between and overwrite it.
@inline(never)
func retrying<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let err = errno
        if err != Glibc.EINTR { throw Errno(rawValue: err) }
    }
}

/// Runs one system call once: for close(2), which must never be retried. POSIX leaves the fd's
/// state undefined after EINTR, and on Linux it is already closed, so a retry could close an fd
/// another thread has just been given.
@inline(never)
func once<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    let result = call()
    if result == -1 { throw Errno(rawValue: errno) }
    return result
}

// MARK: sockets

func system_socket(_ domain: Int32, _ type: Int32, _ proto: Int32) throws(Errno) -> Int32 {
    try retrying { Glibc.socket(domain, type, proto) }
}

func system_socketpair(_ domain: Int32, _ type: Int32, _ proto: Int32) throws(Errno) -> (Int32, Int32) {
    var fds: (Int32, Int32) = (-1, -1)
    _ = try withUnsafeMutableBytes(of: &fds) { (raw) throws(Errno) -> Int32 in
        let p = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
        return try retrying { Glibc.socketpair(domain, type, proto, p) }
    }
    return fds
}

func system_bind(_ fd: Int32, _ addr: UnsafeRawPointer, _ len: UInt32) throws(Errno) {
    _ = try retrying { Glibc.bind(fd, addr.assumingMemoryBound(to: sockaddr.self), len) }
}

func system_connect(_ fd: Int32, _ addr: UnsafeRawPointer, _ len: UInt32) throws(Errno) {
    _ = try retrying { Glibc.connect(fd, addr.assumingMemoryBound(to: sockaddr.self), len) }
}

func system_listen(_ fd: Int32, _ backlog: Int32) throws(Errno) {
    _ = try retrying { Glibc.listen(fd, backlog) }
}

func system_accept4(
    _ fd: Int32, _ addr: UnsafeMutableRawPointer?, _ len: UnsafeMutablePointer<UInt32>?, _ flags: Int32
) throws(Errno) -> Int32 {
    try retrying { CSocketShim_accept4(fd, addr?.assumingMemoryBound(to: sockaddr.self), len, flags) }
}

func system_accept(
    _ fd: Int32, _ addr: UnsafeMutableRawPointer?, _ len: UnsafeMutablePointer<UInt32>?
) throws(Errno) -> Int32 {
    try retrying { Glibc.accept(fd, addr?.assumingMemoryBound(to: sockaddr.self), len) }
}

func system_shutdown(_ fd: Int32, _ how: Int32) throws(Errno) {
    _ = try retrying { Glibc.shutdown(fd, how) }
}

func system_getsockname(_ fd: Int32, _ addr: UnsafeMutableRawPointer, _ len: UnsafeMutablePointer<UInt32>) throws(Errno) {
    _ = try retrying { Glibc.getsockname(fd, addr.assumingMemoryBound(to: sockaddr.self), len) }
}

func system_getpeername(_ fd: Int32, _ addr: UnsafeMutableRawPointer, _ len: UnsafeMutablePointer<UInt32>) throws(Errno) {
    _ = try retrying { Glibc.getpeername(fd, addr.assumingMemoryBound(to: sockaddr.self), len) }
}

func system_setsockopt(_ fd: Int32, _ level: Int32, _ opt: Int32, _ value: UnsafeRawPointer, _ len: UInt32) throws(Errno) {
    _ = try retrying { Glibc.setsockopt(fd, level, opt, value, len) }
}

func system_getsockopt(
    _ fd: Int32, _ level: Int32, _ opt: Int32, _ value: UnsafeMutableRawPointer, _ len: UnsafeMutablePointer<UInt32>
) throws(Errno) {
    _ = try retrying { Glibc.getsockopt(fd, level, opt, value, len) }
}

// MARK: I/O

func system_read(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int) throws(Errno) -> Int {
    try retrying { CSocketShim_read(fd, buf, count) }
}

func system_write(_ fd: Int32, _ buf: UnsafeRawPointer?, _ count: Int) throws(Errno) -> Int {
    try retrying { CSocketShim_write(fd, buf, count) }
}

func system_pread(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int, _ offset: Int64) throws(Errno) -> Int {
    try retrying { Glibc.pread(fd, buf, count, Int(offset)) }
}

func system_readv(_ fd: Int32, _ buffers: [UnsafeMutableRawBufferPointer]) throws(Errno) -> Int {
    let iovs = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
    return try iovs.withUnsafeBufferPointer { (p) throws(Errno) in
        try retrying { Glibc.readv(fd, p.baseAddress, Int32(p.count)) }
    }
}

func system_writev(_ fd: Int32, _ buffers: [UnsafeRawBufferPointer]) throws(Errno) -> Int {
    let iovs = buffers.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
    return try iovs.withUnsafeBufferPointer { (p) throws(Errno) in
        try retrying { Glibc.writev(fd, p.baseAddress, Int32(p.count)) }
    }
}

func system_send(_ fd: Int32, _ buf: UnsafeRawPointer?, _ count: Int, _ flags: Int32) throws(Errno) -> Int {
    try retrying { CSocketShim_send(fd, buf, count, flags) }
}

func system_recv(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) throws(Errno) -> Int {
    try retrying { CSocketShim_recv(fd, buf, count, flags) }
}

func system_sendto(
    _ fd: Int32, _ buf: UnsafeRawPointer?, _ count: Int, _ flags: Int32, _ addr: UnsafeRawPointer?, _ len: UInt32
) throws(Errno) -> Int {
    try retrying { Glibc.sendto(fd, buf, count, flags, addr?.assumingMemoryBound(to: sockaddr.self), len) }
}

func system_recvfrom(
    _ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32,
    _ addr: UnsafeMutableRawPointer?, _ len: UnsafeMutablePointer<UInt32>?
) throws(Errno) -> Int {
    try retrying { Glibc.recvfrom(fd, buf, count, flags, addr?.assumingMemoryBound(to: sockaddr.self), len) }
}

/// sendmsg(2) with one iovec. `name` may be nil for a connected socket.
func system_sendmsg(
    _ fd: Int32, _ buf: UnsafeRawPointer?, _ count: Int,
    _ control: UnsafeRawPointer?, _ controlCount: Int,
    _ name: UnsafeRawPointer?, _ nameLen: UInt32, _ flags: Int32
) throws(Errno) -> Int {
    var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: buf), iov_len: count)
    return try withUnsafeMutablePointer(to: &iov) { (iovp) throws(Errno) -> Int in
        var msg = msghdr()
        msg.msg_name = UnsafeMutableRawPointer(mutating: name)
        msg.msg_namelen = nameLen
        msg.msg_iov = iovp
        msg.msg_iovlen = 1
        msg.msg_control = controlCount > 0 ? UnsafeMutableRawPointer(mutating: control) : nil
        msg.msg_controllen = controlCount
        return try retrying { CSocketShim_sendmsg(fd, &msg, flags) }
    }
}

/// recvmsg(2) with one iovec. Returns the byte count, the control bytes written, msg_flags and
/// the length of the sender's address written into `name`.
func system_recvmsg(
    _ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int,
    _ control: UnsafeMutableRawPointer?, _ controlCount: Int,
    _ name: UnsafeMutableRawPointer?, _ nameCapacity: UInt32, _ flags: Int32
) throws(Errno) -> (n: Int, controlLen: Int, msgFlags: Int32, nameLen: UInt32) {
    var iov = iovec(iov_base: buf, iov_len: count)
    return try withUnsafeMutablePointer(to: &iov) { (iovp) throws(Errno) in
        var msg = msghdr()
        msg.msg_name = name
        msg.msg_namelen = nameCapacity
        msg.msg_iov = iovp
        msg.msg_iovlen = 1
        msg.msg_control = controlCount > 0 ? control : nil
        msg.msg_controllen = controlCount
        let n = try retrying { CSocketShim_recvmsg(fd, &msg, flags) }
        return (n, msg.msg_controllen, msg.msg_flags, msg.msg_namelen)
    }
}

// MARK: descriptors

func system_close(_ fd: Int32) throws(Errno) {
    _ = try once { Glibc.close(fd) }
}

func system_fcntl(_ fd: Int32, _ cmd: Int32, _ arg: Int32) throws(Errno) -> Int32 {
    try retrying { Glibc.fcntl(fd, cmd, arg) }
}

func system_getrlimit(_ resource: Int32) throws(Errno) -> Rlimit {
    var limit = rlimit()
    _ = try retrying { Glibc.getrlimit(__rlimit_resource_t(resource), &limit) }
    return Rlimit(cur: UInt64(limit.rlim_cur), max: UInt64(limit.rlim_max))
}

func system_setrlimit(_ resource: Int32, _ limit: Rlimit) throws(Errno) {
    var value = rlimit(rlim_cur: rlim_t(limit.cur), rlim_max: rlim_t(limit.max))
    _ = try retrying { Glibc.setrlimit(__rlimit_resource_t(resource), &value) }
}

func system_pipe2(_ flags: Int32) throws(Errno) -> (Int32, Int32) {
    var fds: (Int32, Int32) = (-1, -1)
    _ = try withUnsafeMutableBytes(of: &fds) { (raw) throws(Errno) -> Int32 in
        let p = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
        return try retrying { CSocketShim_pipe2(p, flags) }
    }
    return fds
}

/// Refuses a path with a NUL byte, as Go's `BytePtrFromString` does (EINVAL): passed to C, the
/// path would end at the NUL and the call would act on another file.
private func checkPath(_ path: String) throws(Errno) {
    if path.utf8.contains(0) { throw .EINVAL }
}

func system_open(_ path: String, _ flags: Int32, _ mode: UInt32) throws(Errno) -> Int32 {
    try checkPath(path)
    return try retrying { Glibc.open(path, flags, mode) }
}

func system_lseek(_ fd: Int32, _ offset: Int64, _ whence: Int32) throws(Errno) -> Int64 {
    Int64(try retrying { Glibc.lseek(fd, Int(offset), whence) })
}

func system_fchmod(_ fd: Int32, _ mode: UInt32) throws(Errno) {
    _ = try retrying { Glibc.fchmod(fd, mode) }
}

func system_chmod(_ path: String, _ mode: UInt32) throws(Errno) {
    try checkPath(path)
    _ = try retrying { Glibc.chmod(path, mode) }
}

func system_unlink(_ path: String) throws(Errno) {
    try checkPath(path)
    _ = try retrying { Glibc.unlink(path) }
}

func system_lstat(_ path: String) throws(Errno) -> Stat {
    try checkPath(path)
    var st = stat()
    _ = try retrying { Glibc.lstat(path, &st) }
    return Stat(st)
}

func system_fstat(_ fd: Int32) throws(Errno) -> Stat {
    var st = stat()
    _ = try retrying { Glibc.fstat(fd, &st) }
    return Stat(st)
}

extension Stat {
    init(_ st: stat) {
        self.init(mode: st.st_mode, size: Int64(st.st_size), dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))
    }
}

// MARK: epoll and eventfd

func system_epoll_create1(_ flags: Int32) throws(Errno) -> Int32 {
    try retrying { CSocketShim.epoll_create1(flags) }
}

func system_epoll_ctl(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ events: UInt32, _ data: UInt64) throws(Errno) {
    var event = epoll_event()
    event.events = events
    event.data.u64 = data
    _ = try retrying { CSocketShim.epoll_ctl(epfd, op, fd, &event) }
}

func system_epoll_wait(_ epfd: Int32, _ events: UnsafeMutableRawPointer, _ max: Int32, _ timeout: Int32) throws(Errno) -> Int32 {
    try retrying { CSocketShim.epoll_wait(epfd, events.assumingMemoryBound(to: epoll_event.self), max, timeout) }
}

/// The kernel's `struct epoll_event` is packed on x86_64 (12 bytes); these read it in place.
let epollEventStride = MemoryLayout<epoll_event>.stride

func epollEventFields(_ events: UnsafeRawPointer, _ index: Int) -> (events: UInt32, data: UInt64) {
    let e = events.assumingMemoryBound(to: epoll_event.self)[index]
    return (e.events, e.data.u64)
}

func system_eventfd(_ initval: UInt32, _ flags: Int32) throws(Errno) -> Int32 {
    try retrying { CSocketShim.eventfd(initval, flags) }
}

// MARK: ancillary data macros (cmsg(3)): the only C the control-message code needs.

func system_CMSG_LEN(_ length: Int) -> Int { Int(CSocketShim_CMSG_LEN(length)) }
func system_CMSG_SPACE(_ length: Int) -> Int { Int(CSocketShim_CMSG_SPACE(length)) }
