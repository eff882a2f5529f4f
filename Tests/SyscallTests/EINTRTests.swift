// EINTR: with a signal handler installed without SA_RESTART, a blocked socket call fails with
// EINTR when a signal arrives. Syscall retries it, so the caller never sees EINTR. Each retried
// call has a control test proving that the raw Glibc call on the same setup does return EINTR,
// so the retry tests cannot pass because the signal had no effect.
//
// The blocked call runs on a pthread of its own; the test waits until /proc shows it blocked in
// the call, sends SIGUSR1 with pthread_kill, and waits for the handler's counter. The sockets
// have no timeout (SO_RCVTIMEO would itself turn a signal into EINTR); every test unblocks its
// thread at the end by making the call succeed, so none can hang.
import Synchronization
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct EINTRTests {
    private var handlerRuns: Int { sigusr1Count.load(ordering: .sequentiallyConsistent) }

    /// Signals `thread` `times` times, each time once it is blocked on `fd`, and checks that it is
    /// blocked again afterwards: the interrupted call was retried.
    private func interrupt<R>(_ thread: Spawned<R>, blockedOn fd: Int32, times: Int) {
        for i in 1...times {
            guard waitUntil({ threadBlocked(on: fd) || thread.finished }), !thread.finished else {
                Issue.record("the thread is not blocked on fd \(fd) before signal \(i) (finished: \(thread.finished))")
                return
            }
            let before = handlerRuns
            thread.interrupt()
            #expect(waitUntil { handlerRuns > before }, "the handler ran for signal \(i)")
        }
        #expect(waitUntil { threadBlocked(on: fd) || thread.finished })
        #expect(!thread.finished, "the call went on waiting after \(times) signals")
    }

    // MARK: controls: the raw calls do fail with EINTR

    @Test func rawReadFailsWithEINTR() throws {
        try withInterruptingSIGUSR1 {
            let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
            defer { closeAll(a, b) }
            let reader = Spawned { rawRead(b, count: 16) }
            #expect(waitUntil { threadBlocked(on: b) })
            let before = handlerRuns
            reader.interrupt()
            #expect(waitUntil { handlerRuns > before })
            #expect(waitUntil { reader.finished }, "the raw read returned on the signal")
            if !reader.finished { _ = try Syscall.write(a, [1]) }  // unblock it: the test has failed
            let (result, errno) = reader.join()
            #expect(result == -1)
            #expect(errno == Errno.EINTR.rawValue)
        }
    }

    @Test func rawAcceptFailsWithEINTR() throws {
        try withInterruptingSIGUSR1 {
            let address = SockaddrUnix(name: uniqueAbstractName("raw-accept"))
            let listener = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
            defer { closeAll(listener) }
            try Syscall.bind(listener, address)
            try Syscall.listen(listener, 1)
            let acceptor = Spawned { rawAccept(listener) }
            #expect(waitUntil { threadBlocked(on: listener) })
            let before = handlerRuns
            acceptor.interrupt()
            #expect(waitUntil { handlerRuns > before })
            #expect(waitUntil { acceptor.finished }, "the raw accept returned on the signal")
            let client = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
            defer { closeAll(client) }
            if !acceptor.finished { try Syscall.connect(client, address) }  // unblock it: the test has failed
            let (result, errno) = acceptor.join()
            #expect(result == -1)
            #expect(errno == Errno.EINTR.rawValue)
        }
    }

    // MARK: Syscall retries

    @Test func readIsRetriedAndReturnsTheData() throws {
        try withInterruptingSIGUSR1 {
            let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
            defer { closeAll(a, b) }
            let reader = Spawned {
                Result { () throws(Errno) -> [UInt8] in
                    var buf = [UInt8](repeating: 0, count: 16)
                    let n = try Syscall.read(b, &buf)
                    return Array(buf[..<n])
                }
            }
            interrupt(reader, blockedOn: b, times: 3)
            _ = try Syscall.write(a, bytes("data"))
            #expect(try reader.join().get() == bytes("data"))
        }
    }

    @Test func recvIsRetried() throws {
        try withInterruptingSIGUSR1 {
            let (a, b) = try Syscall.socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)
            defer { closeAll(a, b) }
            let reader = Spawned {
                Result { () throws(Errno) -> Int in
                    var buf = [UInt8](repeating: 0, count: 16)
                    return try Syscall.recv(b, &buf, 0)
                }
            }
            interrupt(reader, blockedOn: b, times: 2)
            _ = try Syscall.send(a, bytes("dgram"), 0)
            #expect(try reader.join().get() == 5)
        }
    }

    @Test func acceptIsRetried() throws {
        try withInterruptingSIGUSR1 {
            let address = SockaddrUnix(name: uniqueAbstractName("accept"))
            let listener = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
            defer { closeAll(listener) }
            try Syscall.bind(listener, address)
            try Syscall.listen(listener, 1)
            let acceptor = Spawned { Result { () throws(Errno) in try Syscall.accept4(listener, SOCK_CLOEXEC).fd } }
            interrupt(acceptor, blockedOn: listener, times: 2)
            let client = try Syscall.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
            defer { closeAll(client) }
            try Syscall.connect(client, address)
            let result = acceptor.join()
            if case .success(let fd) = result { closeAll(fd) }
            #expect(throws: Never.self) { try result.get() }
        }
    }

    @Test func epollWaitIsRetried() throws {
        try withInterruptingSIGUSR1 {
            let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
            let efd = try Syscall.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)
            defer { closeAll(ep, efd) }
            try Syscall.epollCtl(ep, EPOLL_CTL_ADD, efd, EpollEvent(events: EPOLLIN, data: 99))
            let waiter = Spawned {
                Result { () throws(Errno) -> [UInt64] in
                    let buffer = EpollEventBuffer(capacity: 4)
                    let n = try Syscall.epollWait(ep, buffer, -1)
                    return (0..<n).map { buffer[$0].data }
                }
            }
            interrupt(waiter, blockedOn: ep, times: 2)
            try Syscall.eventfdWrite(efd, 1)
            #expect(try waiter.join().get() == [99])
        }
    }

    /// A listener with backlog 0 and one connection queued drops further SYNs, so a second
    /// blocking connect waits in SYN_SENT until a retransmit (about 1 s later) gets through once
    /// the queue has room. Returns the listener and the first client.
    private func saturatedListener() throws -> (listener: Int32, first: Int32, address: any Sockaddr) {
        let listener = try boundedSocket(AF_INET, SOCK_STREAM)
        let first = try boundedSocket(AF_INET, SOCK_STREAM)
        do {
            try Syscall.bind(listener, loopback(AF_INET))
            try Syscall.listen(listener, 0)
            let address = try Syscall.getsockname(listener)
            try Syscall.connect(first, address)
            return (listener, first, address)
        } catch {
            closeAll(listener, first)
            throw error
        }
    }

    // POSIX says an interrupted connect goes on asynchronously and calling it again may fail with
    // EALREADY or EISCONN. On Linux a blocking connect called again resumes the same attempt
    // (inet_stream_connect: SS_CONNECTING waits again, or succeeds if the handshake finished), so
    // retrying is right. These two tests hold the kernel and `retrying` to that.

    @Test func blockingTCPConnectInterruptedBySignalStillConnects() throws {
        try withInterruptingSIGUSR1 {
            let (listener, first, address) = try saturatedListener()
            let second = try boundedSocket(AF_INET, SOCK_STREAM)
            defer { closeAll(listener, first, second) }
            let connector = Spawned { Result { () throws(Errno) in try Syscall.connect(second, address) } }
            interrupt(connector, blockedOn: second, times: 2)
            // Make room in the accept queue: the next SYN retransmit gets through.
            let (accepted, _) = try Syscall.accept4(listener, SOCK_CLOEXEC)
            defer { closeAll(accepted) }
            let result = connector.join()
            #expect(throws: Never.self) { try result.get() }
            #expect(try Syscall.getpeername(second) as? SockaddrInet4 == address as? SockaddrInet4)
        }
    }

    @Test func connectRetriedAfterTheHandshakeFinishedSucceeds() throws {
        try withInterruptingSIGUSR1 {
            let (listener, first, address) = try saturatedListener()
            let second = try boundedSocket(AF_INET, SOCK_STREAM)
            let ep = try Syscall.epollCreate1(EPOLL_CLOEXEC)
            defer { closeAll(listener, first, second, ep) }
            try Syscall.epollCtl(ep, EPOLL_CTL_ADD, listener, EpollEvent(events: EPOLLIN, data: 0))
            let connector = Spawned { Result { () throws(Errno) in try Syscall.connect(second, address) } }
            #expect(waitUntil { threadBlocked(on: second) })
            let (accepted, _) = try Syscall.accept4(listener, SOCK_CLOEXEC)
            defer { closeAll(accepted) }
            // The handler sleeps 2.5 s: the SYN retransmit (1 s after the first SYN) completes the
            // handshake while the interrupted connect has not yet been called again.
            sigusr1HandlerDelay.store(2_500_000_000, ordering: .sequentiallyConsistent)
            defer { sigusr1HandlerDelay.store(0, ordering: .sequentiallyConsistent) }
            let returnsBefore = sigusr1Returns.load(ordering: .sequentiallyConsistent)
            connector.interrupt()
            let buffer = EpollEventBuffer(capacity: 1)
            #expect(try Syscall.epollWait(ep, buffer, 2000) == 1, "the handshake finished")
            try #require(
                sigusr1Returns.load(ordering: .sequentiallyConsistent) == returnsBefore,
                "and the connect has not been called again yet")
            let result = connector.join()
            #expect(throws: Never.self) { try result.get() }
            #expect(try Syscall.getpeername(second) as? SockaddrInet4 == address as? SockaddrInet4)
        }
    }
}
