// epoll(7) and eventfd(2): what NetPoll's poller is built on. Go's syscall.EpollCreate1,
// EpollCtl and EpollWait, plus a reusable event buffer so a poller's loop allocates nothing.

/// One readiness event: Go's `syscall.EpollEvent`.
public struct EpollEvent: Sendable, Hashable {
    /// The ready bits (`EPOLLIN`, `EPOLLOUT`, `EPOLLRDHUP`, `EPOLLERR`, `EPOLLHUP`...) or, when
    /// registering, the wanted bits plus flags such as `EPOLLET`.
    public var events: UInt32
    /// The 64 bits of user data given at registration, returned with every event.
    public var data: UInt64

    /// An event.
    public init(events: UInt32, data: UInt64) {
        self.events = events
        self.data = data
    }
}

/// Creates an epoll instance: Go's `syscall.EpollCreate1`. Pass `EPOLL_CLOEXEC`.
///
/// ```swift
/// let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
/// try Syscall.epollCtl(ep, EPOLL_CTL_ADD, sock, EpollEvent(events: EPOLLIN | EPOLLET, data: 1))
/// ```
///
/// The corresponding C function is `epoll_create1(2)`.
public func epollCreate1(_ flags: Int32) throws(Errno) -> Int32 {
    try system_epoll_create1(flags)
}

/// Adds, changes or removes a registration: Go's `syscall.EpollCtl`.
///
/// `op` is `EPOLL_CTL_ADD`, `EPOLL_CTL_MOD` or `EPOLL_CTL_DEL` (whose event is ignored).
///
/// The corresponding C function is `epoll_ctl(2)`.
public func epollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ event: EpollEvent) throws(Errno) {
    try system_epoll_ctl(epfd, op, fd, event.events, event.data)
}

/// Waits for events and fills `events` with up to `events.count` of them: Go's `syscall.EpollWait`.
///
/// `msec` is the timeout in milliseconds: -1 waits forever, 0 returns at once. Returns the
/// number of events filled. A signal interrupting the wait restarts it.
///
/// ```swift
/// var events = [EpollEvent](repeating: EpollEvent(events: 0, data: 0), count: 64)
/// let n = try Syscall.epollWait(ep, &events, -1)
/// for e in events[..<n] where e.events & EPOLLIN != 0 { /* read until EAGAIN */ }
/// ```
///
/// The corresponding C function is `epoll_wait(2)`.
public func epollWait(_ epfd: Int32, _ events: inout [EpollEvent], _ msec: Int) throws(Errno) -> Int {
    let buffer = EpollEventBuffer(capacity: events.count)
    let n = try epollWait(epfd, buffer, msec)
    for i in 0..<n { events[i] = buffer[i] }
    return n
}

/// Waits for events into a reusable buffer, allocating nothing: the poller's form of
/// ``epollWait(_:_:_:)-(_,_,Int)``.
///
/// The corresponding C function is `epoll_wait(2)`.
public func epollWait(_ epfd: Int32, _ buffer: EpollEventBuffer, _ msec: Int) throws(Errno) -> Int {
    guard buffer.capacity > 0 else { throw .EINVAL }
    return Int(try system_epoll_wait(epfd, buffer.storage, Int32(buffer.capacity), Int32(clamping: msec)))
}

/// Memory for `epoll_wait(2)` results in the kernel's own (packed) layout, allocated once.
///
/// Not thread-safe: one poller thread owns one buffer.
public final class EpollEventBuffer: @unchecked Sendable {
    let storage: UnsafeMutableRawPointer
    /// How many events one wait can return.
    public let capacity: Int

    /// A buffer for up to `capacity` events.
    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        storage = .allocate(byteCount: max(1, capacity) * epollEventStride, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// The event at `index`, which must be below the count the last wait returned.
    public subscript(index: Int) -> EpollEvent {
        precondition(index >= 0 && index < capacity, "epoll event index out of range")
        let e = epollEventFields(storage, index)
        return EpollEvent(events: e.events, data: e.data)
    }
}

/// Creates an eventfd, a counter the kernel can wait on: the poller's wake-up line.
///
/// Writing an 8-byte value adds to the counter and makes the fd readable; reading returns the
/// counter and resets it. Pass `EFD_CLOEXEC | EFD_NONBLOCK`.
///
/// ```swift
/// let wake = try Syscall.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)
/// try Syscall.eventfdWrite(wake, 1)    // from any thread
/// ```
///
/// The corresponding C function is `eventfd(2)`.
public func eventfd(_ initval: UInt32, _ flags: Int32) throws(Errno) -> Int32 {
    try system_eventfd(initval, flags)
}

/// Adds `value` to an eventfd's counter.
///
/// The corresponding C function is `write(2)` of 8 bytes.
public func eventfdWrite(_ fd: Int32, _ value: UInt64) throws(Errno) {
    var v = value
    _ = try withUnsafeBytes(of: &v) { (p) throws(Errno) in try system_write(fd, p.baseAddress, 8) }
}

/// Reads and resets an eventfd's counter (or decrements it by one with `EFD_SEMAPHORE`).
///
/// The corresponding C function is `read(2)` of 8 bytes.
public func eventfdRead(_ fd: Int32) throws(Errno) -> UInt64 {
    var v: UInt64 = 0
    _ = try withUnsafeMutableBytes(of: &v) { (p) throws(Errno) in try system_read(fd, p.baseAddress, 8) }
    return v
}
