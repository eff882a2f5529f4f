// Concurrency on real sockets: 1,000 connections served by Listener.serve, reads serialised
// with reads, read + write + deadlines racing (RELIABILITY.md A11), and a task preferring the
// conn's poller as its executor.
import Glibc
import Net
import Synchronization
import NetPoll
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct ConcurrencyTests {
    @Test("1,000 concurrent connections to one listener, each echoing 64 bytes, served with Listener.serve", arguments: CTStream.streams)
    func thousandConnections(kind: CTStream) async throws {
        let count = 1000
        // Each connection costs two fds here (both ends live in this process).
        let needed = openFileDescriptors().count + 2 * count + 64
        let (restore, available) = CT.raiseFDLimit(to: needed)
        defer { CT.restoreFDLimit(restore) }
        try #require(available >= needed, "RLIMIT_NOFILE hard limit \(available) is below the \(needed) fds this test needs")

        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ln = try await Net.listen(kind.rawValue, kind == .tcp ? "127.0.0.1:0" : dir.path("echo.sock"))
        defer { try? ln.close() }
        let served = CTCounter()
        let server = Task { () -> (any Error)? in
            do {
                try await ln.serve { conn in
                    var got: [UInt8] = []
                    while got.count < 64 {
                        let chunk = try await conn.read(upTo: 64 - got.count)
                        if chunk.isEmpty { return }
                        got += chunk
                    }
                    try await conn.write(got)
                    served.increment()
                }
                return nil
            } catch {
                return error
            }
        }

        let start = ContinuousClock.now
        let results = try await CT.bounded(.seconds(120), "\(count) echo clients") {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<count {
                    group.addTask {
                        let message = (0..<64).map { UInt8(truncatingIfNeeded: i &* 64 &+ $0 &+ i >> 8) }
                        let c = try await Net.dial(kind.rawValue, ln.addr.description) as! SocketConn
                        defer { try? c.close() }
                        try c.setDeadline(.now + .seconds(60))
                        try await c.write(message)
                        let echoed = try await CT.readFull(c, 64)
                        return echoed == message
                    }
                }
                var ok = 0, bad = 0
                for try await r in group { if r { ok += 1 } else { bad += 1 } }
                return (ok, bad)
            }
        }
        let elapsed = CT.ms(since: start)
        #expect(results.0 == count)
        #expect(results.1 == 0)

        try ln.close()
        let serveResult = await CT.value(of: server, within: .seconds(10))
        #expect(serveResult != nil, "serve did not return after the listener closed")
        if case let e?? = serveResult { Issue.record("serve threw: \(e)") }
        #expect(served.count == count)
        print("[throughput] \(count) \(kind) connect+echo(64 B)+close: \(CT.fmt(elapsed)) ms")
    }

    @Test("two tasks reading one conn get distinct bytes: every byte once, no crash", arguments: CTStream.streams)
    func readsAreSerialised(kind: CTStream) async throws {
        try await CT.withPair(kind, .seconds(60)) { p in
            let size = 256 * 1024
            let sent = CT.pattern(size, seed: 3)
            let writer = Task {
                try await p.server.write(sent)
                try CT.closeWrite(p.server)
            }
            let readers = (0..<2).map { _ in
                Task { () throws -> [Int] in
                    var histogram = [Int](repeating: 0, count: 256)
                    var buf = [UInt8](repeating: 0, count: 7)
                    while true {
                        let n = try await p.client.read(&buf)
                        if n == 0 { return histogram }
                        for b in buf[..<n] { histogram[Int(b)] += 1 }
                    }
                }
            }
            try await writer.value
            var total = [Int](repeating: 0, count: 256)
            var perReader: [Int] = []
            for r in readers {
                let h = try await r.value
                perReader.append(h.reduce(0, +))
                for i in 0..<256 { total[i] += h[i] }
            }
            var expected = [Int](repeating: 0, count: 256)
            for b in sent { expected[Int(b)] += 1 }
            #expect(total.reduce(0, +) == size, "bytes read \(total.reduce(0, +)) of \(size) (per reader \(perReader))")
            #expect(total == expected, "some bytes were read twice or lost")
        }
    }

    @Test("read + write + setDeadline from 3 tasks for 1,000 iterations: no crash, no deadlock (A11)", arguments: CTStream.streams)
    func readWriteDeadlineRace(kind: CTStream) async throws {
        try await CT.withPair(kind, .seconds(60)) { p in
            let iterations = 1000
            let message = Array("0123456789abcdef".utf8)
            // The peer echoes.
            let echo = Task {
                var buf = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = try await p.server.read(&buf)
                    if n == 0 { return }
                    try await p.server.write(Array(buf[..<n]))
                }
            }
            let writer = Task {
                for _ in 0..<iterations { try await p.client.write(message) }
            }
            let reader = Task { () throws -> Int in
                var got = 0
                var buf = [UInt8](repeating: 0, count: 1000)
                while got < iterations * message.count {
                    let n = try await p.client.read(&buf)
                    if n == 0 { break }
                    got += n
                }
                return got
            }
            let setter = Task {
                for i in 0..<iterations {
                    switch i % 4 {
                    case 0: try p.client.setReadDeadline(.now + .seconds(3600))
                    case 1: try p.client.setWriteDeadline(.now + .seconds(3600))
                    case 2: try p.client.setDeadline(nil)
                    default: try p.client.setDeadline(.now + .seconds(3600))
                    }
                    if i % 50 == 0 { await Task.yield() }
                }
            }
            try await setter.value
            try await writer.value
            #expect(try await reader.value == iterations * message.count)
            try CT.closeWrite(p.client)
            try await echo.value
        }
    }

    @Test("racing short deadlines: every failure is a timeout, and the conn recovers", arguments: CTStream.streams)
    func shortDeadlineRace(kind: CTStream) async throws {
        try await CT.withPair(kind, .seconds(60)) { p in
            let stop = CTFlag()
            // The server drains what the client writes from the start: on a unix stream, each
            // 1-byte write left unread costs the writer about 768 bytes of its send budget, so a
            // few hundred unread writes would block the client.
            let alive = Array("alive".utf8)
            let drain = Task { () throws -> Int in
                var seen: [UInt8] = []
                while !seen.suffix(alive.count).elementsEqual(alive) {
                    let chunk = try await CT.readSome(p.server)
                    if chunk.isEmpty { return -1 }
                    seen += chunk
                }
                return seen.count
            }
            let setter = Task {
                var i = 0
                while !stop.isSet {
                    try p.client.setDeadline(.now + .microseconds(i % 3 == 0 ? 1 : 200))
                    i += 1
                    await Task.yield()
                }
            }
            let feeder = Task {
                for _ in 0..<2000 where !stop.isSet {
                    try await p.server.write([1])
                    try await Task.sleep(for: .microseconds(100))
                }
            }
            var other: [String] = []
            var timeouts = 0, successes = 0
            for _ in 0..<1000 {
                do {
                    var buf = [UInt8](repeating: 0, count: 64)
                    _ = try await p.client.read(&buf)
                    try await p.client.write([2])
                    successes += 1
                } catch let e as OpError where e.timeout {
                    timeouts += 1
                    continue
                } catch {
                    other.append("\(error)")
                }
            }
            stop.set()
            try await setter.value
            try await feeder.value
            #expect(other.isEmpty, "non-timeout errors: \(other.prefix(3))")
            #expect(timeouts > 0, "the deadlines never fired")
            try p.client.setDeadline(nil)
            try await p.client.write(alive)
            #expect(try await drain.value == successes + alive.count)
        }
    }

    @Test("a task preferring conn.executor runs on the poller's thread and works end to end", arguments: CTStream.streams)
    func executorPreference(kind: CTStream) async throws {
        // Paused: a move by Balancer would have the handler continue on the other poller.
        try await Balancer.paused { try await CT.withPair(kind) { p in
            let handler = Task(executorPreference: p.server.executor) { () throws -> [String] in
                var threads: [String] = []
                for _ in 0..<3 {
                    let got = try await CT.readSome(p.server)
                    threads.append(CT.threadName())
                    try await p.server.write(got.reversed())
                }
                return threads
            }
            for word in ["abc", "hello", "poller"] {
                try await p.client.write(Array(word.utf8))
                #expect(try await CT.readFull(p.client, word.utf8.count) == Array(word.utf8).reversed())
            }
            let threads = try await handler.value
            #expect(threads.allSatisfy { $0.hasPrefix("netpoll-") }, "handler resumed on \(threads)")
            // And on one poller only: the one that owns this fd.
            #expect(Set(threads).count == 1)
        } }
    }

    @Test("many tasks writing whole messages to one conn: writes are serialised, messages never interleave")
    func writesAreSerialised() async throws {
        try await CT.withPair(.unix, .seconds(60)) { p in
            let writers = 8, each = 50, size = 10_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        let msg = [UInt8](repeating: UInt8(w + 1), count: size)
                        for _ in 0..<each { try await p.client.write(msg) }
                    }
                }
                let all = try await CT.readFull(p.server, writers * each * size)
                try await group.waitForAll()
                // Each message is `size` equal bytes: a write split by another would break a run.
                var i = 0
                var broken = 0
                while i < all.count {
                    let v = all[i]
                    if !all[i..<(i + size)].allSatisfy({ $0 == v }) { broken += 1 }
                    i += size
                }
                #expect(broken == 0, "\(broken) messages interleaved")
            }
        }
    }
}
