// epoll on real sockets: edge- and level-triggered readiness, EPOLLRDHUP, EPOLLOUT, user data in
// the kernel's packed layout, EPOLL_CTL_MOD/DEL, timeouts, and the reusable event buffer.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct EpollTests {
    /// Waits up to `msec` and returns the events, in the order the kernel gave them.
    private func wait(_ ep: Int32, _ buffer: EpollEventBuffer, _ msec: Int) throws -> [EpollEvent] {
        let n = try Syscall.epollWait(ep, buffer, msec)
        return (0..<n).map { buffer[$0] }
    }

    @Test func epollCreate1WithCloexec() throws {
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        let plain = try Syscall.epollCreate1(0)
        defer { closeAll(ep, plain) }
        #expect(try Syscall.isCloseOnExec(ep))
        #expect(try !Syscall.isCloseOnExec(plain))
        #expect(throws: Errno.EINVAL) { try Syscall.epollCreate1(0x7fff_0000) }
    }

    @Test func edgeTriggeredInputFiresOncePerEdge() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        let buffer = EpollEventBuffer(capacity: 8)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN | EPOLLET, data: 42))
        #expect(try wait(ep, buffer, 0).isEmpty, "nothing to read yet")

        _ = try Syscall.write(a, bytes("x"))
        let first = try wait(ep, buffer, 5000)
        #expect(first.count == 1)
        #expect(first.first?.data == 42)
        #expect((first.first?.events ?? 0) & EPOLLIN != 0)
        #expect(try wait(ep, buffer, 0).isEmpty, "one edge, one event, though the byte is unread")

        _ = try Syscall.write(a, bytes("y"))
        let second = try wait(ep, buffer, 5000)
        #expect(second.map(\.data) == [42], "new data is a new edge")
        #expect(try wait(ep, buffer, 0).isEmpty)
    }

    @Test func levelTriggeredInputFiresUntilRead() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        let buffer = EpollEventBuffer(capacity: 8)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN, data: 7))
        _ = try Syscall.write(a, bytes("xy"))
        #expect(try wait(ep, buffer, 5000).map(\.data) == [7])
        #expect(try wait(ep, buffer, 0).map(\.data) == [7], "still readable")
        var buf = [UInt8](repeating: 0, count: 8)
        _ = try Syscall.read(b, &buf)
        #expect(try wait(ep, buffer, 0).isEmpty, "drained")
    }

    @Test func peerShutdownWriteGivesEPOLLRDHUP() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        let buffer = EpollEventBuffer(capacity: 4)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN | EPOLLRDHUP | EPOLLET, data: 1))
        #expect(try wait(ep, buffer, 0).isEmpty)
        try Syscall.shutdown(a, SHUT_WR)
        let events = try wait(ep, buffer, 5000)
        try #require(events.count == 1)
        #expect(events[0].events & EPOLLRDHUP != 0)
        #expect(events[0].events & EPOLLIN != 0, "end of stream is readable")
        #expect(events[0].events & EPOLLHUP == 0, "only one direction is shut")
    }

    @Test func tcpPeerShutdownWriteGivesEPOLLRDHUP() throws {
        let c = try loopbackTCP(AF_INET)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { c.close(); closeAll(ep) }
        let buffer = EpollEventBuffer(capacity: 4)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, c.server, EpollEvent(events: EPOLLIN | EPOLLRDHUP | EPOLLET, data: 5))
        _ = try wait(ep, buffer, 0)
        try Syscall.shutdown(c.client, SHUT_WR)
        let events = try wait(ep, buffer, 5000)
        try #require(events.count == 1)
        #expect(events[0].events & EPOLLRDHUP != 0)
    }

    @Test func writableSocketGivesEPOLLOUT() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        let buffer = EpollEventBuffer(capacity: 4)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, a, EpollEvent(events: EPOLLOUT | EPOLLET, data: 9))
        let events = try wait(ep, buffer, 5000)
        try #require(events.count == 1)
        #expect(events[0].events & EPOLLOUT != 0)
        #expect(events[0].events & EPOLLIN == 0, "not asked for, and nothing to read")
        #expect(events[0].data == 9)
    }

    @Test func userDataComesBackWholeForEveryEvent() throws {
        // Several ready fds with 64-bit data: checks the packed 12-byte layout of epoll_event
        // for every index, not just the first.
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(ep) }
        var pairs: [(Int32, Int32)] = []
        defer { for (a, b) in pairs { closeAll(a, b) } }
        let data: [UInt64] = [0xDEAD_BEEF_CAFE_F00D, 0, UInt64.max, 0x0000_0001_0000_0002, 1 << 63]
        for d in data {
            let pair = try unixPair(SOCK_STREAM)
            pairs.append(pair)
            try Syscall.epollCtl(ep, EPOLL_CTL_ADD, pair.1, EpollEvent(events: EPOLLIN, data: d))
            _ = try Syscall.write(pair.0, [1])
        }
        let buffer = EpollEventBuffer(capacity: 16)
        let events = try wait(ep, buffer, 5000)
        #expect(events.count == data.count)
        #expect(Set(events.map(\.data)) == Set(data))
        #expect(events.allSatisfy { $0.events == EPOLLIN })

        // The array form returns the same.
        var array = [EpollEvent](repeating: EpollEvent(events: 0, data: 0), count: 16)
        let n = try Syscall.epollWait(ep, &array, 5000)
        #expect(n == data.count)
        #expect(Set(array[..<n].map(\.data)) == Set(data))
        #expect(array[n...].allSatisfy { $0 == EpollEvent(events: 0, data: 0) }, "the rest untouched")
    }

    @Test func smallBufferReturnsAtMostItsCapacity() throws {
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(ep) }
        var pairs: [(Int32, Int32)] = []
        defer { for (a, b) in pairs { closeAll(a, b) } }
        for d in 1...3 {
            let pair = try unixPair(SOCK_STREAM)
            pairs.append(pair)
            try Syscall.epollCtl(ep, EPOLL_CTL_ADD, pair.1, EpollEvent(events: EPOLLIN | EPOLLET, data: UInt64(d)))
            _ = try Syscall.write(pair.0, [1])
        }
        let buffer = EpollEventBuffer(capacity: 2)
        #expect(buffer.capacity == 2)
        let first = try wait(ep, buffer, 5000)
        #expect(first.count == 2)
        // The same buffer, reused: the third event is still queued.
        let second = try wait(ep, buffer, 5000)
        #expect(second.count == 1)
        #expect(Set((first + second).map(\.data)) == [1, 2, 3])
        #expect(try wait(ep, buffer, 0).isEmpty)
    }

    @Test func modChangesEventsAndData() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        let buffer = EpollEventBuffer(capacity: 4)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN, data: 1))
        #expect(try wait(ep, buffer, 0).isEmpty)
        try Syscall.epollCtl(ep, EPOLL_CTL_MOD, b, EpollEvent(events: EPOLLOUT, data: 2))
        let events = try wait(ep, buffer, 5000)
        #expect(events.map(\.data) == [2])
        #expect(events.first.map { $0.events & EPOLLOUT != 0 } == true)
    }

    @Test func delStopsEvents() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        let buffer = EpollEventBuffer(capacity: 4)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN, data: 3))
        _ = try Syscall.write(a, [1])
        #expect(try wait(ep, buffer, 5000).count == 1)
        try Syscall.epollCtl(ep, EPOLL_CTL_DEL, b, EpollEvent(events: 0, data: 0))
        _ = try Syscall.write(a, [2])
        #expect(try wait(ep, buffer, 50).isEmpty, "no events after DEL, though b is readable")
        #expect(throws: Errno.ENOENT) { try Syscall.epollCtl(ep, EPOLL_CTL_DEL, b, EpollEvent(events: 0, data: 0)) }
        #expect(throws: Errno.ENOENT) { try Syscall.epollCtl(ep, EPOLL_CTL_MOD, b, EpollEvent(events: EPOLLIN, data: 0)) }
    }

    @Test func addTwiceIsEEXIST() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(a, b, ep) }
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN, data: 0))
        #expect(throws: Errno.EEXIST) { try Syscall.epollCtl(ep, EPOLL_CTL_ADD, b, EpollEvent(events: EPOLLIN, data: 0)) }
        #expect(throws: Errno.EINVAL) { try Syscall.epollCtl(ep, EPOLL_CTL_ADD, ep, EpollEvent(events: EPOLLIN, data: 0)) }
    }

    @Test func timeoutZeroReturnsAtOnceAndAShortTimeoutWaits() throws {
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(ep) }
        let buffer = EpollEventBuffer(capacity: 1)
        let clock = ContinuousClock()
        var start = clock.now
        #expect(try Syscall.epollWait(ep, buffer, 0) == 0)
        #expect(clock.now - start < .milliseconds(500))
        start = clock.now
        #expect(try Syscall.epollWait(ep, buffer, 100) == 0)
        let waited = clock.now - start
        #expect(waited >= .milliseconds(90), "\(waited)")
        #expect(waited < .seconds(3), "\(waited)")
    }

    @Test func emptyBufferIsEINVAL() throws {
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        defer { closeAll(ep) }
        #expect(throws: Errno.EINVAL) { try Syscall.epollWait(ep, EpollEventBuffer(capacity: 0), 0) }
        var none: [EpollEvent] = []
        #expect(throws: Errno.EINVAL) { try Syscall.epollWait(ep, &none, 0) }
    }

    @Test func eventfdInEpoll() throws {
        let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
        let efd = try Syscall.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)
        defer { closeAll(ep, efd) }
        let buffer = EpollEventBuffer(capacity: 2)
        try Syscall.epollCtl(ep, EPOLL_CTL_ADD, efd, EpollEvent(events: EPOLLIN | EPOLLET, data: 77))
        #expect(try wait(ep, buffer, 0).isEmpty)
        try Syscall.eventfdWrite(efd, 1)
        #expect(try wait(ep, buffer, 5000).map(\.data) == [77])
        #expect(try Syscall.eventfdRead(efd) == 1)
    }
}
