// Listener.serve: it keeps serving through temporary accept errors, as Go's http.Server does,
// runs each handler on its connection's poller, and ends (or cancels) its handlers as documented.
import Glibc
@testable import Net
@testable import NetPoll
import Synchronization
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct ServeTests {
    @Test func serveBacksOffOnTooManyOpenFilesAndRecovers() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        let server = Task {
            try await ln.serve { conn in
                while case let chunk = try await conn.read(upTo: 64), !chunk.isEmpty { try await conn.write(chunk) }
            }
        }
        defer { try? ln.close() }
        let port = (ln.addr as! TCPAddr).port

        // The client's socket exists before the limit drops: connect(2) needs no new fd.
        let client = try Syscall.socket(Syscall.AF_INET, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        var clientOpen = true
        defer { if clientOpen { try? Syscall.close(client) } }
        try Syscall.setsockoptTimeval(client, Syscall.SOL_SOCKET, Syscall.SO_RCVTIMEO, Timeval(sec: 5, usec: 0))

        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let saved = limit
        // Every fd in use, none to spare: the server's accept4 fails with EMFILE.
        limit.rlim_cur = rlim_t(openFileDescriptors().max()! + 1)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try Syscall.connect(client, SockaddrInet4(port: port, addr: [127, 0, 0, 1]))
        try await Task.sleep(for: .milliseconds(60))   // several failed accepts, backing off
        var restore = saved
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &restore)

        // The server is still serving: the queued connection is accepted and echoed.
        _ = try Syscall.write(client, Array("ping".utf8))
        var reply = [UInt8](repeating: 0, count: 4)
        let n = try Syscall.read(client, &reply)
        #expect(Array(reply[..<n]) == Array("ping".utf8))
        // serve returns once the listener is closed and every handler has finished: the
        // handler ends when the client closes.
        try Syscall.close(client)
        clientOpen = false
        try ln.close()
        try await server.value
    }

    /// Cancelling the serving task cancels every handler's parked read, and serve throws only
    /// once the last handler has returned; each connection is then closed. The reads park
    /// covered, with no cancellation handler of their own: serve's cancellation wakes them.
    @Test func cancellingServeCancelsHandlersAndWaitsForThem() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        defer { try? ln.close() }
        let started = AsyncStream<Void>.makeStream()
        let readErrors = Mutex<[any Error]>([])
        let handlersReturned = Atomic<Int>(0)
        let served = Mutex<[PollFD]>([])
        let handler: @Sendable (any Conn) async throws -> Void = { conn in
            served.withLock { $0.append((conn as! SocketConn).fd.pfd) }
            started.continuation.yield()
            do {
                _ = try await conn.read(upTo: 1)
            } catch {
                readErrors.withLock { $0.append(error) }
            }
            usleep(50_000)   // a handler still busy after cancellation: serve must wait for it
            handlersReturned.add(1, ordering: .sequentiallyConsistent)
        }
        let server = Task { () -> (any Error)? in
            do {
                try await ln.serve(handler)
                return nil
            } catch {
                return error
            }
        }
        var clients: [any Conn] = []
        defer { for c in clients { try? c.close() } }
        var arrivals = started.stream.makeAsyncIterator()
        for _ in 0..<3 {
            clients.append(try await Net.dial("tcp", ln.addr.description))
            await arrivals.next()
        }
        let fds = served.withLock { $0 }
        _ = await sleepUntil { fds.allSatisfy { $0.desc.parked(.read) != .nobody } }
        #expect(fds.map { $0.desc.parked(.read) } == [.covered, .covered, .covered])

        server.cancel()
        // On failure the deferred closes end the handlers, so nothing is left hanging.
        guard let outcome = await CT.value(of: server, within: .seconds(10)) else {
            Issue.record("cancelled serve did not return within 10 s")
            return
        }
        #expect(outcome != nil, "a cancelled serve throws")
        #expect(handlersReturned.load(ordering: .sequentiallyConsistent) == 3)
        let errors = readErrors.withLock { $0 }
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { ($0 as? OpError)?.underlying is CancellationError })
        for c in clients {   // serve closed the server side of every connection
            #expect(try await c.read(upTo: 1).isEmpty)
        }
    }

    /// A handler's reads on its connection park without a cancellation handler of their own
    /// (serve's cancellation wakes them). A task the handler starts is not covered by it: cancelling that task alone wakes its read on the same connection, and the handler
    /// goes on serving the connection.
    @Test func aTaskTheHandlerStartsWakesOnItsOwnCancellation() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ln = try await Net.listen("unix", dir.path("serve.sock"))
        defer { try? ln.close() }
        let outcome = Mutex<String?>(nil)
        let server = Task {
            try await ln.serve { conn in
                let reader = Task { () async -> (any Error)? in
                    do { _ = try await conn.read(upTo: 1); return nil } catch { return error }
                }
                let fd = (conn as! SocketConn).fd.pfd
                _ = await sleepUntil { fd.desc.parked(.read) != .nobody }
                let parked = fd.desc.parked(.read)
                reader.cancel()
                let error = await CT.value(of: reader, within: .seconds(5))
                if error == nil { try? conn.close() }   // still parked: fail, do not hang
                outcome.withLock {
                    $0 = "\(parked) \(error.map { ($0 as? OpError)?.underlying is CancellationError } ?? false)"
                }
                // The handler's own read, covered, still echoes.
                try await conn.write(try await conn.read(upTo: 4))
            }
        }
        defer { server.cancel() }
        let client = try await Net.dial("unix", ln.addr.description)
        defer { try? client.close() }
        // Nothing to read until the handler has cancelled its reader.
        _ = await sleepUntil { outcome.withLock { $0 } != nil }
        try await client.write(Array("ping".utf8))
        #expect(try await CT.readFull(client as! SocketConn, 4) == Array("ping".utf8))
        #expect(outcome.withLock { $0 } == "withOwnHandler true")
    }

    /// Each handler runs on the thread of the poller that owns its connection's fd, when it
    /// starts and after each read resumes it: no hop to another thread per message (DESIGN.md).
    @Test(arguments: ["tcp", "unix"])
    func handlersRunOnTheirConnectionsPoller(_ network: String) async throws {
        try await Balancer.paused { try await handlersRunOnTheirConnectionsPollerUnmoved(network) }
    }

    /// (Balancer is paused: a connection it moved would be served from its new poller.)
    private func handlersRunOnTheirConnectionsPollerUnmoved(_ network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ln = try await Net.listen(network, network == "unix" ? dir.path("s.sock") : "127.0.0.1:0")
        defer { try? ln.close() }
        let offPoller = Atomic<Int>(0)
        let server = Task {
            try await ln.serve { conn in
                let poller = (conn as! SocketConn).fd.pfd.poller
                if !poller.isPollerThread { offPoller.add(1, ordering: .relaxed) }
                while case let chunk = try await conn.read(upTo: 64), !chunk.isEmpty {
                    if !poller.isPollerThread { offPoller.add(1, ordering: .relaxed) }
                    try await conn.write(chunk)
                }
            }
        }
        for _ in 0..<4 {
            let client = try await Net.dial(network, ln.addr.description)
            defer { try? client.close() }
            for round in 0..<3 {
                try await client.write([UInt8(round)])
                #expect(try await withTimeLimit(.seconds(10), "echo") { try await client.read(upTo: 1) } == [UInt8(round)])
            }
        }
        try ln.close()
        try await withTimeLimit(.seconds(10), "serve after close") { try await server.value }
        #expect(offPoller.load(ordering: .relaxed) == 0)
    }

    /// A connection moved to another poller mid-conversation (as Balancer does) keeps echoing,
    /// and its handler, which prefers the old poller, resumes on the new poller's thread.
    @Test(.enabled(if: CPUs.allowed > 1, "one poller: nowhere to move a connection"), arguments: ["tcp", "unix"])
    func aMovedConnectionsHandlerFollowsIt(_ network: String) async throws {
        try await Balancer.paused {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let ln = try await Net.listen(network, network == "unix" ? dir.path("m.sock") : "127.0.0.1:0")
            defer { try? ln.close() }
            let served = Mutex<SocketConn?>(nil)
            let threads = Mutex<[(onNow: Bool, round: UInt8)]>([])
            let server = Task {
                try await ln.serve { conn in
                    served.withLock { $0 = conn as? SocketConn }
                    while case let chunk = try await conn.read(upTo: 64), !chunk.isEmpty {
                        let now = (conn as! SocketConn).fd.pfd.poller
                        threads.withLock { $0.append((now.isPollerThread, chunk[0])) }
                        try await conn.write(chunk)
                    }
                }
            }
            let client = try await Net.dial(network, ln.addr.description)
            defer { try? client.close() }
            func echo(_ round: UInt8) async throws {
                try await client.write([round])
                #expect(try await withTimeLimit(.seconds(10), "echo") { try await client.read(upTo: 1) } == [round])
            }
            try await echo(0)
            let conn = try #require(served.withLock { $0 })
            // Move only once the handler has parked for round 1: a read that finds its bytes
            // already there completes on the thread it runs on, the old poller's.
            #expect(await sleepUntil { conn.fd.pfd.desc.parked(.read) != .nobody })
            let from = conn.fd.pfd.poller
            let to = try #require(try PollerGroup.all().first { $0 !== from })
            #expect(conn.fd.pfd.desc.move(to: to))
            for round in 1...3 { try await echo(UInt8(round)) }
            #expect(conn.fd.pfd.poller === to)
            try client.close()
            try ln.close()
            try await withTimeLimit(.seconds(10), "serve after close") { try await server.value }
            let seen = threads.withLock { $0 }
            #expect(seen.map { $0.round } == [0, 1, 2, 3])
            #expect(seen.allSatisfy { $0.onNow }, "each read resumed on the thread of the poller that had the fd then: \(seen)")
        }
    }

    /// A handler that outlives the listener keeps running: closing the listener ends the accept
    /// loop, and serve returns only after the handler does (nothing is cancelled).
    @Test func serveWaitsForHandlersAfterTheListenerCloses() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        let started = AsyncStream<Void>.makeStream()
        let server = Task {
            try await ln.serve { conn in
                started.continuation.yield()
                let request = try await conn.read(upTo: 16)
                try await conn.write(request)
            }
        }
        let client = try await Net.dial("tcp", ln.addr.description)
        defer { try? client.close() }
        var arrivals = started.stream.makeAsyncIterator()
        await arrivals.next()
        try ln.close()
        try await Task.sleep(for: .milliseconds(30))
        // The handler is still parked in its read, not cancelled: it answers.
        try await client.write(Array("late".utf8))
        #expect(try await client.read(upTo: 16) == Array("late".utf8))
        try await withTimeLimit(.seconds(10), "serve after close") { try await server.value }
    }
}
