// Skipping a read(2) that would only say EAGAIN.
//
// A server that has just answered a request and reads the next one usually finds nothing yet:
// its read fails with EAGAIN, then it parks until the poller reports the fd readable. In
// 64-connection ping-pong that failed read is a quarter of the server's system calls (0.71 of
// 2.71 per round trip), and the read before it often knew the answer already: a read on a
// stream socket that returned less than it asked for left the receive queue empty, and data
// queued after that raises a new edge, which the PollDesc keeps until the next wait. So that
// reader can park at once and lose nothing; at worst it wakes for an edge whose data it already
// read, tries, meets EAGAIN and parks again.
//
// A short read means the next would find nothing only where the kernel never stops a read
// early:
// - A read returns the data before the end of stream or a pending error, which the next read
//   returns at once, and TCP stops at the urgent mark. epoll reports each of these (EPOLLRDHUP,
//   EPOLLHUP, EPOLLERR, EPOLLPRI), and a PollDesc that has seen one turns the skip off for good
//   (`PollDesc.readsStopShort`). Its edge marks the direction ready in the same call, so a
//   skip that missed the flag still finds the edge.
// - A Unix stream also stops at a message that carried fds or credentials (from a writer other
//   than the last, with SO_PASSCRED). read(2) cannot tell, so while skipping is on a Unix
//   stream reads with recvmsg(2), whose MSG_CTRUNC says control data was dropped there. Out of
//   band data (MSG_OOB) raises EPOLLPRI, as TCP's urgent data does, and the end of stream
//   EPOLLRDHUP.
// - Datagram and seqpacket sockets return one message per read: never.
//
// The hint may be trusted only if the read side has not waited since that short read: a wait
// consumes the edge of data still queued. So every read-side wait calls `forget()` first (in
// PollFD's `io`, used by recvmsg, accept and a plain read's own wait, and in `waitReady`), and
// only a plain read sets the hint, after its waits. An operation that reads without waiting
// leaves the edge of what it read in place, so it needs no `forget()`. All of it is guarded by
// the fd's read lock.
//
// Parking at once is not always cheaper. When the peer shares the CPU and answers before the
// server reads again (pinned 1-connection ping-pong: 77% of first tries find data), the skip
// turns a successful read into a park and a trip through epoll_wait. So the skip is on only
// while most first tries meet EAGAIN, and every eighth read tries anyway to keep that count
// current.

/// What a short read says about a socket's receive queue: see EmptyReadHint.
package enum StreamKind: Sendable {
    /// Not a byte stream, or unknown: a short read says nothing, and every read tries first.
    case other
    /// A TCP stream: a short read(2) empties the queue (unless at the urgent mark).
    case tcp
    /// A Unix stream: a short read empties the queue unless it stopped at a message with
    /// control data, which only recvmsg(2)'s MSG_CTRUNC reveals.
    case unix
}

/// Whether the next read on a stream socket should park before it tries: the state behind
/// `PollFD.tryRead`'s skip. Guarded by the fd's read lock.
struct EmptyReadHint {
    let kind: StreamKind
    /// The last read was short (and on a Unix stream, dropped no control data): the receive
    /// queue was empty when it returned.
    private var drained = false
    /// How often a first try has found data lately, in 1/255ths: a moving average over about
    /// eight tries. Starts high, so a new connection tries first, as before.
    private var hitRate: UInt8 = 255
    /// Counts the reads that could skip; every eighth tries anyway.
    private var eligible: UInt8 = 0
    /// A plain read has begun and not yet made its first system call: its outcome updates
    /// `hitRate`.
    private var firstPending = false

    init(_ kind: StreamKind) { self.kind = kind }

    /// A hint that has already seen first tries meet EAGAIN, so it skips from the first short
    /// read on: for tests, which would otherwise need a run of misses first.
    static func skipping(_ kind: StreamKind) -> EmptyReadHint {
        var hint = EmptyReadHint(kind)
        hint.hitRate = 0
        return hint
    }

    /// The skip is worth it only while most first tries meet EAGAIN.
    var skipping: Bool { kind != .other && hitRate < 128 }

    /// Whether the next plain read will park without trying, unless the PollDesc has seen a
    /// condition that makes reads stop short (which turns the skip off).
    var skipsNextRead: Bool { drained && skipping && !probeDue }

    /// The next eligible read is an eighth, which tries anyway to keep `hitRate` current.
    private var probeDue: Bool { (eligible &+ 1) & 7 == 0 }

    /// Whether reads must use recvmsg(2) so a short one can be trusted: a Unix stream, while
    /// the skip is on. (Otherwise read(2), which is cheaper: recvmsg copies a msghdr in and
    /// out, about 4% of a 64-connection ping-pong round trip on this machine.)
    var checksControl: Bool { kind == .unix && skipping }

    /// Called as a plain read begins, with its lock held: whether to park before the first
    /// try. `untrusted` is the PollDesc's `readsStopShort`.
    mutating func shouldSkipTry(untrusted: Bool) -> Bool {
        defer { drained = false }
        guard drained, skipping, !untrusted else {
            firstPending = kind != .other
            return false
        }
        let skip = !probeDue
        eligible &+= 1
        firstPending = !skip
        return skip
    }

    /// Records a read that returned `count` of the `asked` bytes. A read(2) on a Unix stream
    /// cannot say whether it stopped at control data, so it leaves the hint off.
    mutating func read(_ count: Int, of asked: Int, droppedControl: Bool, checked: Bool) {
        drained = count > 0 && count < asked && !droppedControl && (kind == .tcp || checked)
        if firstPending { firstTry(found: true) }
    }

    /// Records a read that met EAGAIN.
    mutating func wouldBlock() {
        if firstPending { firstTry(found: false) }
    }

    /// Another read-side operation took the lock: its waits may consume an edge whose data is
    /// still queued, so the last short read no longer says the queue is empty.
    mutating func forget() {
        drained = false
        firstPending = false
    }

    /// Folds a first try's outcome into `hitRate`: data (or end of stream) found, or EAGAIN.
    private mutating func firstTry(found: Bool) {
        firstPending = false
        let rate = Int(hitRate)
        hitRate = UInt8(rate - rate >> 3 + (found ? 31 : 0))
    }
}
