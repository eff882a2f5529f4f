// Go's poll.FD (internal/poll/fd_unix.go): one non-blocking fd, registered with a poller, and
// every operation on it. Each operation takes its FDMutex lock, tries the system call, and only
// on EAGAIN parks in the PollDesc until the poller reports readiness (or the deadline passes,
// the fd is closed, or the task is cancelled). The fast path (data ready) is one system call,
// with no allocation and no suspension.
package import Syscall
import Synchronization

package final class PollFD: Sendable {
    /// The descriptor. Use it only inside an operation (`withFD` or the I/O methods), which hold
    /// a reference: once closed, the number may belong to another file.
    package let sysfd: Int32
    /// Whether the fd number has left NetPoll's hands, so its open file may outlive close(2)
    /// (declared here to sit in sysfd's padding).
    private let shared = Atomic<Bool>(false)
    /// What kind of byte stream the fd was registered as (EmptyReadHint). A copy of the hint's,
    /// readable without the read lock (and, like `shared`, in sysfd's padding).
    package let stream: StreamKind
    private let mutex = FDMutex()
    package let desc: PollDesc
    /// Whether the next plain read may park before it tries. Guarded by the read lock, which
    /// every use holds; hence unsafe. Internal, not private, for tests to set up and inspect
    /// while no read runs.
    nonisolated(unsafe) var readHint: EmptyReadHint

    /// The poller that owns this fd now (Balancer may move it): a task that prefers it as its
    /// executor is resumed on the poller's thread with no hop.
    package var poller: Poller { desc.poller }

    /// Takes ownership of `fd`, which must be non-blocking, and registers it with `poller` (by
    /// default the next poller in turn). `stream` says what kind of byte stream it is, if any:
    /// on a stream, a read after a short one may park without trying (EmptyReadHint).
    /// On failure the fd is left open: the caller still owns it.
    package init(_ fd: Int32, poller: Poller? = nil, stream: StreamKind = .other) throws(PollError) {
        sysfd = fd
        self.stream = stream
        readHint = EmptyReadHint(stream)
        let owner: Poller
        if let poller { owner = poller } else { owner = try PollerGroup.next() }
        desc = try owner.register(fd)
    }

    deinit {
        // Dropped without close(): nothing can be using it (operations hold `self`), so the
        // fd is released here, as Go's finalizer would.
        if !mutex.isClosed { destroy() }
    }

    // MARK: close

    /// Closes the fd: wakes every parked operation with `.closing`, and calls close(2) once the
    /// last operation in flight has returned. Throws `.closing` if already closed.
    package func close() throws(PollError) {
        guard mutex.increfAndClose() else { throw .closing }
        desc.evict()
        if mutex.decref() { destroy() }
    }

    /// Whether close() has been called.
    package var isClosed: Bool { mutex.isClosed }

    /// Records that the fd may have a duplicate: it was duplicated, adopted from the caller's fd,
    /// or its number was handed to code outside NetPoll, which could duplicate it. Close then
    /// removes the epoll registration explicitly, as a duplicate keeps the open file (and with it
    /// the registration) alive after close(2).
    package func markShared() {
        shared.store(true, ordering: .releasing)
    }

    private func destroy() {
        desc.deregister(removeFromEpoll: shared.load(ordering: .acquiring))
        try? Syscall.close(sysfd)
    }

    // MARK: misc operations

    /// Runs a quick, non-blocking call (setsockopt, getsockname, shutdown, dup) with the fd,
    /// holding a reference so a concurrent close cannot free the number under it.
    package func withFD<R>(_ body: (Int32) throws(Errno) -> R) throws(PollError) -> R {
        try mutex.incref()
        defer { if mutex.decref() { destroy() } }
        do {
            return try body(sysfd)
        } catch {
            throw .errno(error)
        }
    }

    /// Sets, moves or clears the deadline of the given directions: Go's SetDeadline family.
    /// Fails with `.closing` once the fd is closed. It takes no FDMutex reference, as it never
    /// touches the fd number (only the PollDesc), and servers call it before every read.
    package func setDeadline(_ deadline: ContinuousClock.Instant?, _ directions: PollDesc.Directions) throws(PollError) {
        if desc.isClosing { throw .closing }
        desc.setDeadline(deadline, directions)
    }

    // MARK: I/O

    /// The shape of every blocking operation: lock, then try `attempt` with the fd until it
    /// stops failing with EAGAIN, parking in `direction` between tries. `attempt` makes one
    /// non-blocking system call; it may run several times. `lockHeld` says the caller's own
    /// first try (`tryRead`) already took the lock and met EAGAIN, so the loop starts by parking.
    @inline(__always)   // one async frame per operation, not two
    package func io<R>(
        _ lock: FDMutex.Lock, _ direction: PollDesc.Direction, lockHeld: Bool = false,
        _ attempt: (Int32) throws(Errno) -> R
    ) async throws(PollError) -> R {
        if !lockHeld { try await mutex.lock(lock) }
        defer { if mutex.unlock(lock) { destroy() } }
        if direction == .read { readHint.forget() }   // a plain read sets it again at the end
        // One call site of the inlined wait, not two (one before the loop for `lockHeld`):
        // each would keep its own continuation and locals in this frame.
        var mustWait = lockHeld
        while true {
            if mustWait { try await desc.wait(direction) }
            // tryOnce's steps, spelled out: Net calls this generically (datagrams, recvmsg and
            // sendmsg), and tryOnce's `R?` would make each call look up `Optional<R>`'s
            // metadata in the runtime's cache, about 150 instructions per fd received.
            try desc.check(direction)
            do {
                return try attempt(sysfd)
            } catch .EAGAIN {
                mustWait = true
            } catch {
                throw .errno(error)
            }
        }
    }

    /// One try with the lock held: fails at once if the fd is closing or the direction's
    /// deadline has passed, else makes the system call. Nil means EAGAIN.
    @inline(__always)
    private func tryOnce<R>(_ direction: PollDesc.Direction, _ attempt: (Int32) throws(Errno) -> R) throws(PollError) -> R? {
        try desc.check(direction)
        do {
            return try attempt(sysfd)
        } catch .EAGAIN {
            return nil
        } catch {
            throw .errno(error)
        }
    }

    /// A first try without waiting: take the lock if it is free and make one attempt. Returns
    /// the attempt's result, or nil with `first` saying why not: the lock was busy, or EAGAIN
    /// (the lock is then kept, for the wait that follows). Generic, but private and inlined,
    /// so each use is specialised here in NetPoll.
    @inline(__always)
    private func firstTry<R>(
        _ lock: FDMutex.Lock, _ direction: PollDesc.Direction, first: inout Attempt,
        skipIf skip: () -> Bool = { false }, _ attempt: (Int32) throws(Errno) -> R
    ) throws(PollError) -> R? {
        guard try mutex.tryLock(lock) else {
            first = .lockBusy
            return nil
        }
        if skip() {   // as if EAGAIN, without the system call; the lock is kept for the wait
            first = .wouldBlock
            return nil
        }
        var keepLock = false
        defer { if !keepLock, mutex.unlock(lock) { destroy() } }
        if let r = try tryOnce(direction, attempt) { return r }
        keepLock = true
        first = .wouldBlock
        return nil
    }

    /// What a first try found, made without waiting (`tryRead`, `tryWrite`).
    package enum Attempt: Sendable {
        /// It is done: the count read (for a write, everything is written).
        case done(Int)
        /// Another task holds the lock; nothing was tried.
        case lockBusy
        /// EAGAIN. The lock is still held, for the wait that follows.
        case wouldBlock

        /// Whether the operation still holds its lock: the waiting half must not take it again.
        var holdsLock: Bool {
            if case .wouldBlock = self { return true }
            return false
        }
    }

    /// Reads what is available, up to `buffer.count` bytes; 0 means end of stream (or an empty
    /// datagram). A zero-length buffer returns 0 at once, without a system call (but fails on a
    /// closed fd, as Go's Read does: 0 would look like end of stream).
    ///
    /// It is a first try, which is a synchronous call, and an async call only to wait: when data
    /// is ready, the usual case on a busy connection, no async frame is taken from the task
    /// allocator. Net's NetFD spells the same two steps out, as an async method called across
    /// modules costs a frame even when it never suspends.
    package func read(into buffer: UnsafeMutableRawBufferPointer) async throws(PollError) -> Int {
        let first = try tryRead(into: buffer)
        if case .done(let n) = first { return n }
        return try await readWaiting(into: buffer, after: first)
    }

    /// The first try of a recvmsg(2) into memory the caller owns, as `tryRead(into:)` is for
    /// read: lock and receive once, without waiting. Returns nil when it did not receive, with
    /// `first` saying why (the lock was busy, or EAGAIN with the lock kept for the wait).
    ///
    /// Concrete, not a generic try over any system call: Net would call a generic one
    /// unspecialised, and its `R?` would look up `Optional<R>`'s metadata on every message.
    package func tryRecvmsg(
        into buffer: UnsafeMutableRawBufferPointer, oob: UnsafeMutableRawBufferPointer, flags: Int32,
        first: inout Attempt
    ) throws(PollError) -> RecvmsgResult? {
        try firstTry(.read, .read, first: &first) { (fd) throws(Errno) in try Syscall.recvmsg(fd, into: buffer, oob: oob, flags) }
    }

    /// The rest of a recvmsg after `tryRecvmsg` did not receive: wait for the lock (unless
    /// held), then for data.
    package func recvmsgWaiting(
        into buffer: UnsafeMutableRawBufferPointer, oob: UnsafeMutableRawBufferPointer, flags: Int32,
        after first: Attempt
    ) async throws(PollError) -> RecvmsgResult {
        try await io(.read, .read, lockHeld: first.holdsLock) { (fd) throws(Errno) in
            try Syscall.recvmsg(fd, into: buffer, oob: oob, flags)
        }
    }

    /// The first try of `read(into:)`: lock and read once, without waiting. On a stream whose
    /// last read was short, it may skip the system call and report `.wouldBlock` at once
    /// (EmptyReadHint): the queue was empty then, and data since has raised an edge to wait for.
    package func tryRead(into buffer: UnsafeMutableRawBufferPointer) throws(PollError) -> Attempt {
        if buffer.isEmpty { return .done(try zeroLengthRead()) }
        var first = Attempt.lockBusy
        if let n = try firstTry(
            .read, .read, first: &first, skipIf: { readHint.shouldSkipTry(untrusted: desc.readsStopShort) },
            { (_) throws(Errno) in try readOnce(into: buffer) }
        ) { return .done(n) }
        return first
    }

    /// The rest of `read(into:)` after a first try that was not done: wait for the lock (unless
    /// held), then for data.
    package func readWaiting(into buffer: UnsafeMutableRawBufferPointer, after first: Attempt) async throws(PollError) -> Int {
        try await io(.read, .read, lockHeld: first.holdsLock) { (_) throws(Errno) in try readOnce(into: buffer) }
    }

    /// One read(2) with the read lock held, noting in the hint whether it emptied the queue.
    /// While the hint needs it, a Unix stream reads with recvmsg(2) instead, whose MSG_CTRUNC
    /// says the read stopped at a message with control data (the fds are closed either way).
    @inline(__always)
    private func readOnce(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        do {
            if readHint.checksControl {
                let (n, recvflags) = try Syscall.recvmsg(sysfd, into: buffer, 0)
                readHint.read(n, of: buffer.count, droppedControl: recvflags & MSG_CTRUNC != 0, checked: true)
                return n
            }
            let n = try Syscall.read(sysfd, into: buffer)
            readHint.read(n, of: buffer.count, droppedControl: false, checked: false)
            return n
        } catch .EAGAIN {
            readHint.wouldBlock()
            throw .EAGAIN
        }
    }

    /// Reads into an array, up to its count, pinning its storage only for each system call.
    package func read(_ p: inout [UInt8]) async throws(PollError) -> Int {
        let first = try tryRead(&p)
        if case .done(let n) = first { return n }
        return try await readWaiting(&p, after: first)
    }

    /// `tryRead(into:)` with the array's storage.
    package func tryRead(_ p: inout [UInt8]) throws(PollError) -> Attempt {
        if p.isEmpty { return .done(try zeroLengthRead()) }
        return try p.withUnsafeMutableBytes { raw in
            Result { () throws(PollError) in try tryRead(into: raw) }
        }.get()
    }

    /// `readWaiting(into:after:)` for an array, pinning its storage only for each system call.
    package func readWaiting(_ p: inout [UInt8], after first: Attempt) async throws(PollError) -> Int {
        try await io(.read, .read, lockHeld: first.holdsLock) { (_) throws(Errno) in
            try p.withUnsafeMutableBytes { raw in
                Result { () throws(Errno) in try readOnce(into: raw) }
            }.get()
        }
    }

    /// Go's zero-byte Read: 0 at once, or `.closing` once the fd is closed.
    private func zeroLengthRead() throws(PollError) -> Int {
        if mutex.isClosed { throw .closing }
        return 0
    }

    /// Writes all of `buffer` with send(2) and MSG_NOSIGNAL, so a closed peer is EPIPE, never
    /// SIGPIPE. Returns once every byte is written, or throws; `written` counts what went out.
    /// Like `read(into:)`, a first try that is a synchronous call, then an async call to wait.
    package func write(_ buffer: UnsafeRawBufferPointer, written: inout Int) async throws(PollError) {
        let first = try tryWrite(buffer, written: &written)
        if case .done = first { return }
        try await writeWaiting(buffer, written: &written, after: first)
    }

    /// The first try of `write(_:written:)`: lock and send until all is written or the socket
    /// is full, without waiting.
    package func tryWrite(_ buffer: UnsafeRawBufferPointer, written: inout Int) throws(PollError) -> Attempt {
        guard try mutex.tryLock(.write) else { return .lockBusy }
        var keepLock = false
        defer { if !keepLock, mutex.unlock(.write) { destroy() } }
        if try sendAll(count: buffer.count, written: &written, { (offset) throws(Errno) in try send(buffer, from: offset) }) {
            return .done(written)
        }
        keepLock = true
        return .wouldBlock
    }

    /// The rest of `write(_:written:)` after a first try that was not done: wait for the lock
    /// (unless held), then for room.
    package func writeWaiting(_ buffer: UnsafeRawBufferPointer, written: inout Int, after first: Attempt) async throws(PollError) {
        try await writeAll(count: buffer.count, written: &written, lockHeld: first.holdsLock) { (offset) throws(Errno) in
            try send(buffer, from: offset)
        }
    }

    /// Writes all of `bytes`. Only the array lives across a suspension; each attempt pins its
    /// storage for the one system call, so nothing is copied.
    package func write(_ bytes: [UInt8], written: inout Int) async throws(PollError) {
        let first = try tryWrite(bytes, written: &written)
        if case .done = first { return }
        try await writeWaiting(bytes, written: &written, after: first)
    }

    /// `tryWrite(_:written:)` with the array's storage.
    package func tryWrite(_ bytes: [UInt8], written: inout Int) throws(PollError) -> Attempt {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(PollError) in try tryWrite(raw, written: &written) }
        }.get()
    }

    /// `writeWaiting(_:written:after:)` for an array, pinning its storage only for each system
    /// call.
    package func writeWaiting(_ bytes: [UInt8], written: inout Int, after first: Attempt) async throws(PollError) {
        try await writeAll(count: bytes.count, written: &written, lockHeld: first.holdsLock) { (offset) throws(Errno) in
            try bytes.withUnsafeBytes { raw in
                Result { () throws(Errno) in try send(raw, from: offset) }
            }.get()
        }
    }

    /// One send(2) of what is left of `buffer` from `offset` on, with MSG_NOSIGNAL.
    @inline(__always)
    private func send(_ buffer: UnsafeRawBufferPointer, from offset: Int) throws(Errno) -> Int {
        try Syscall.send(sysfd, from: UnsafeRawBufferPointer(rebasing: buffer[offset...]), MSG_NOSIGNAL)
    }

    /// The write loop: `sendFrom(offset)` sends what it can from `offset` on, until all `count`
    /// bytes are out; EAGAIN parks until the socket is writable again.
    @inline(__always)
    private func writeAll(
        count: Int, written: inout Int, lockHeld: Bool, _ sendFrom: (Int) throws(Errno) -> Int
    ) async throws(PollError) {
        if !lockHeld { try await mutex.lock(.write) }
        defer { if mutex.unlock(.write) { destroy() } }
        var mustWait = lockHeld   // one call site of the inlined wait, as in `io`
        repeat {
            if mustWait { try await desc.wait(.write) }
            mustWait = true
        } while try !sendAll(count: count, written: &written, sendFrom)
    }

    /// With the write lock held: sends until all `count` bytes are out (true) or the socket is
    /// full (false). At least one send, as Go's FD.Write: an empty write sends an empty datagram
    /// or seqpacket message (on a stream it is a no-op), and meets a passed deadline.
    @inline(__always)
    private func sendAll(count: Int, written: inout Int, _ sendFrom: (Int) throws(Errno) -> Int) throws(PollError) -> Bool {
        repeat {
            guard let n = try tryOnce(.write, { (_) throws(Errno) in try sendFrom(written) }) else { return false }
            written += n
        } while written < count
        return true
    }

    /// Accepts a connection as a non-blocking, close-on-exec fd, with the peer's address as the
    /// kernel wrote it (its family unchecked). ECONNABORTED (the client gave up while queued) is
    /// retried silently, as Go does.
    package func accept() async throws(PollError) -> (fd: Int32, peer: RawSockaddrAny) {
        try await io(.read, .read) { (fd) throws(Errno) in
            while true {
                var peer = RawSockaddrAny()
                do throws(Errno) {
                    return (try Syscall.accept4(fd, SOCK_NONBLOCK | SOCK_CLOEXEC, peer: &peer), peer)
                } catch .ECONNABORTED {
                    continue
                }
            }
        }
    }

    /// Connects, waiting for a non-blocking connect to finish. The outcome of an in-progress
    /// connect is read from SO_ERROR once the socket is writable; a wake-up with SO_ERROR 0 is
    /// confirmed with getpeername, since epoll can report writability before the handshake ends.
    package func connect(_ address: any Sockaddr) async throws(PollError) {
        try await mutex.lock(.write)
        defer { if mutex.unlock(.write) { destroy() } }
        try desc.check(.write)
        do {
            try Syscall.connect(sysfd, address)
            return
        } catch .EINPROGRESS, .EALREADY, .EINTR {
            // In progress: wait below.
        } catch .EISCONN {
            return
        } catch {
            throw .errno(error)
        }
        while true {
            try await desc.wait(.write)
            try desc.check(.write)
            let pending: Int
            do {
                pending = try Syscall.getsockoptInt(sysfd, SOL_SOCKET, SO_ERROR)
            } catch {
                throw .errno(error)
            }
            switch Errno(rawValue: Int32(pending)) {
            case Errno(rawValue: 0):
                if (try? Syscall.getpeername(sysfd)) != nil { return }
            case .EINPROGRESS, .EALREADY, .EINTR:
                continue
            case .EISCONN:
                return
            case let failure:
                throw .errno(failure)
            }
        }
    }

    /// Waits until the fd is readable (or writable), without reading: for callers that do their
    /// own system calls (Go's RawConn).
    package func waitReady(_ direction: PollDesc.Direction) async throws(PollError) {
        let lock: FDMutex.Lock = direction == .read ? .read : .write
        try await mutex.lock(lock)
        defer { if mutex.unlock(lock) { destroy() } }
        if direction == .read { readHint.forget() }
        try desc.check(direction)
        try await desc.wait(direction)
    }
}
