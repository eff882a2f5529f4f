import Glibc
@testable import NetPoll
import Syscall
import TestSupport
import Testing

// A read that parks without trying must never park on data that is already queued. Each socket
// test below sets up a socket a short read leaves with more to return (urgent data, the end of
// stream, an error, passed fds, a wait by another operation) and checks that the next read still returns within the watchdog; without
// the safeguard it names, that read would park until the peer sent more, which it never does.

/// A connected TCP pair on the loopback: the accepted end as a PollFD for a `.tcp` stream, and
/// the dialing end as a blocking fd for the test to send with.
private func tcpPair() throws -> (reader: PollFD, writer: Int32) {
    let listener = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
    defer { try? Syscall.close(listener) }
    try Syscall.bind(listener, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
    try Syscall.listen(listener, 1)
    let writer = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
    do {
        try Syscall.connect(writer, try Syscall.getsockname(listener))
        let (accepted, _) = try Syscall.accept4(listener, Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC)
        do {
            return (try PollFD(accepted, stream: .tcp), writer)
        } catch {
            try? Syscall.close(accepted)
            throw error
        }
    } catch {
        try? Syscall.close(writer)
        throw error
    }
}

/// A Unix stream pair: one end as a PollFD for a `.unix` stream, the other a blocking fd.
private func unixPair() throws -> (reader: PollFD, writer: Int32) {
    let (a, b) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
    do {
        return (try PollFD(a, stream: .unix), b)
    } catch {
        try? Syscall.close(a)
        try? Syscall.close(b)
        throw error
    }
}

private func send(_ fd: Int32, _ text: String, _ flags: Int32 = 0) throws {
    #expect(try Syscall.send(fd, Array(text.utf8), flags) == text.utf8.count)
}

/// Reads up to 64 bytes as text; a read still parked after 5 s is ended by closing the fd, so
/// a read parked on queued data fails the test instead of hanging the run.
private func readWithin5s(_ fd: PollFD, _ count: Int = 64) async throws -> String {
    let watchdog = Task {
        do { try await Task.sleep(for: .seconds(5)) } catch { return }
        try? fd.close()
    }
    defer { watchdog.cancel() }
    return String(decoding: try await fd.read(count), as: UTF8.self)
}

/// Puts `reader`'s hint in the skipping state with its last read short, as after a run of
/// reads that found nothing: sends one byte, waits for it to be queued, reads it.
private func primeToSkip(_ reader: PollFD, writer: Int32, _ kind: StreamKind) async throws {
    reader.readHint = .skipping(kind)
    try send(writer, "x")
    try await Task.sleep(for: .milliseconds(20))
    #expect(try await readWithin5s(reader) == "x")
    #expect(reader.readHint.skipsNextRead, "the hint should skip after a short read")
}

@Suite(.fdLeakCheck)
struct EmptyReadHintSocketTests {
    @Test func readsThatFindNothingTurnTheSkipOnAndEveryByteStillArrives() async throws {
        let (reader, writer) = try unixPair()
        defer { try? reader.close(); try? Syscall.close(writer) }
        #expect(!reader.readHint.skipping, "a new connection tries first")
        for i in 0..<12 {
            // The reader parks first, so its first try meets EAGAIN.
            async let got = readWithin5s(reader)
            try await Task.sleep(for: .milliseconds(20))
            try send(writer, "m\(i)")
            #expect(try await got == "m\(i)")
        }
        #expect(reader.readHint.skipping)
        #expect(reader.readHint.skipsNextRead)
    }

    /// TCP's urgent data and a Unix stream's out-of-band byte: the read stops at the mark, and
    /// "DE" stays queued with no new edge to come.
    @Test(arguments: [StreamKind.tcp, .unix])
    func aReadStoppedAtUrgentDataDoesNotSkipTheRest(kind: StreamKind) async throws {
        let (reader, writer) = try kind == .tcp ? tcpPair() : unixPair()
        defer { try? reader.close(); try? Syscall.close(writer) }
        try await primeToSkip(reader, writer: writer, kind)
        try send(writer, "AB")
        try send(writer, "C", Syscall.MSG_OOB)
        try send(writer, "DE")
        try await Task.sleep(for: .milliseconds(20))   // the poller sees the edge: ready
        #expect(try await readWithin5s(reader) == "AB")   // skips, consumes the edge, reads
        #expect(reader.desc.readsStopShort)
        #expect(try await readWithin5s(reader) == "DE")
    }

    /// The data comes before the end of stream (or a reset), which the next read returns at
    /// once with no new edge: the peer sent both before the read that returned the data.
    @Test(arguments: [(StreamKind.tcp, false), (.unix, false), (.tcp, true)])
    func aReadBeforeTheEndOfStreamOrAnErrorDoesNotSkipIt(kind: StreamKind, reset: Bool) async throws {
        let (reader, writer) = try kind == .tcp ? tcpPair() : unixPair()
        defer { try? reader.close() }
        try await primeToSkip(reader, writer: writer, kind)
        try send(writer, "AB")
        if reset { try Syscall.setsockoptLinger(writer, Syscall.SOL_SOCKET, Syscall.SO_LINGER, Linger(onoff: 1, linger: 0)) }
        try Syscall.close(writer)
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await readWithin5s(reader) == "AB")
        #expect(reader.desc.readsStopShort)
        if reset {
            await #expect(throws: PollError.errno(.ECONNRESET)) { try await readWithin5s(reader) }
        } else {
            #expect(try await readWithin5s(reader) == "")
        }
    }

    @Test func aUnixReadStoppedAfterPassedFDsDoesNotSkipTheRest() async throws {
        let (reader, writer) = try unixPair()
        defer { try? reader.close(); try? Syscall.close(writer) }
        try await primeToSkip(reader, writer: writer, .unix)
        // A read stops after a message that carried fds (the kernel closes them: a plain read
        // has nowhere to put them); "CD" stays queued.
        let (p, q) = try Syscall.pipe2(Syscall.O_CLOEXEC)
        defer { try? Syscall.close(p); try? Syscall.close(q) }
        try Syscall.sendmsg(writer, Array("AB".utf8), Syscall.unixRights(p), nil, 0)
        try send(writer, "CD")
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await readWithin5s(reader) == "AB")
        #expect(!reader.readHint.skipsNextRead, "MSG_CTRUNC should turn the skip off for the next read")
        #expect(try await readWithin5s(reader) == "CD")
    }

    @Test func aWaitForReadinessInBetweenTurnsTheSkipOff() async throws {
        let (reader, writer) = try unixPair()
        defer { try? reader.close(); try? Syscall.close(writer) }
        try await primeToSkip(reader, writer: writer, .unix)
        try send(writer, "AB")
        try await Task.sleep(for: .milliseconds(20))
        try await reader.waitReady(.read)   // consumes the edge, reads nothing (RawConn's way)
        #expect(try await readWithin5s(reader) == "AB")
    }

    @Test func aRecvmsgThatWaitedInBetweenTurnsTheSkipOff() async throws {
        let (reader, writer) = try unixPair()
        defer { try? reader.close(); try? Syscall.close(writer) }
        try await primeToSkip(reader, writer: writer, .unix)
        let received = Task { () async throws -> String in
            let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1)
            defer { data.deallocate() }
            let noControl = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            var first = PollFD.Attempt.lockBusy
            var r = try reader.tryRecvmsg(into: data, oob: noControl, flags: 0, first: &first)
            if r == nil { r = try await reader.recvmsgWaiting(into: data, oob: noControl, flags: 0, after: first) }
            return String(decoding: data[..<(r?.n ?? 0)], as: UTF8.self)
        }
        try await Task.sleep(for: .milliseconds(20))   // parked: its wake consumes the edge
        try send(writer, "ABCD")
        #expect(try await received.value == "AB")
        #expect(try await readWithin5s(reader) == "CD")
    }
}

struct EmptyReadHintTests {
    /// Runs `n` plain reads whose first try meets EAGAIN, each then reading `count` of 64 bytes.
    private func misses(_ hint: inout EmptyReadHint, _ n: Int, count: Int = 1, checked: Bool = true) {
        for _ in 0..<n {
            if !hint.shouldSkipTry(untrusted: false) { hint.wouldBlock() }
            hint.read(count, of: 64, droppedControl: false, checked: checked)
        }
    }

    @Test func aNewHintTriesAndTurnsOnOnlyAfterMostFirstTriesMiss() {
        var hint = EmptyReadHint(.tcp)
        misses(&hint, 5)
        #expect(!hint.skipping, "five misses from a fresh start are not enough")
        misses(&hint, 1)
        #expect(hint.skipping)
        #expect(hint.skipsNextRead)
    }

    @Test func everyEighthEligibleReadTriesAnywayAndAHitTurnsTheSkipOffAgain() {
        var hint = EmptyReadHint.skipping(.tcp)
        hint.read(1, of: 64, droppedControl: false, checked: false)
        var skipped = 0
        for _ in 0..<8 {
            if hint.shouldSkipTry(untrusted: false) { skipped += 1 }
            hint.read(1, of: 64, droppedControl: false, checked: false)
        }
        #expect(skipped == 7)
        // First tries that find data raise the rate back above half.
        for _ in 0..<40 {
            _ = hint.shouldSkipTry(untrusted: false)
            hint.read(1, of: 64, droppedControl: false, checked: false)
        }
        #expect(!hint.skipping)
    }

    @Test func onlyAShortReadThatSaysTheQueueIsEmptyLetsTheNextOneSkip() {
        var tcp = EmptyReadHint.skipping(.tcp)
        tcp.read(64, of: 64, droppedControl: false, checked: false)
        #expect(!tcp.skipsNextRead, "a full read may have left more")
        tcp.read(0, of: 64, droppedControl: false, checked: false)
        #expect(!tcp.skipsNextRead, "end of stream")
        tcp.read(10, of: 64, droppedControl: false, checked: false)
        #expect(tcp.skipsNextRead)
        let skippedUntrusted = tcp.shouldSkipTry(untrusted: true)
        #expect(!skippedUntrusted, "urgent data, end of stream or an error: a short read may leave more")

        var unix = EmptyReadHint.skipping(.unix)
        #expect(unix.checksControl)
        unix.read(10, of: 64, droppedControl: false, checked: false)
        #expect(!unix.skipsNextRead, "read(2) on a Unix stream cannot see dropped control data")
        unix.read(10, of: 64, droppedControl: true, checked: true)
        #expect(!unix.skipsNextRead)
        unix.read(10, of: 64, droppedControl: false, checked: true)
        #expect(unix.skipsNextRead)
        unix.forget()
        #expect(!unix.skipsNextRead)

        var other = EmptyReadHint.skipping(.other)
        other.read(10, of: 64, droppedControl: false, checked: true)
        #expect(!other.skipsNextRead)
        #expect(!other.checksControl)
    }
}
