// Task cancellation of blocked operations: a cancelled read, write or accept returns promptly
// with an OpError whose underlying error is CancellationError (Go's "operation was canceled"),
// and the conn or listener stays usable.
import Net
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct ConnCancellationTests {
    @Test("cancelling a blocked read: operation was canceled within 50 ms, the conn still works", arguments: CTStream.allCases)
    func cancelBlockedRead(kind: CTStream) async throws {
        try await CT.bestOfThree("cancel wakes read (\(kind))") {
            let p = try await CT.pair(kind)
            defer { p.close() }
            let reader = CT.blockedRead(p.client)
            try await Task.sleep(for: .milliseconds(30))
            let cancelled = ContinuousClock.now
            reader.cancel()
            guard let r = await CT.value(of: reader, within: .seconds(5)) else {
                Issue.record("cancelled read did not return within 5 s")
                return nil
            }
            let e = try #require(r.error, "cancelled read returned data")
            #expect(e.underlying is CancellationError)
            #expect(!e.isClosed)
            #expect(e.description == "\(CT.prefix("read", p.client, kind.rawValue)): operation was canceled")
            let latency = CT.ms(since: cancelled, to: r.at)

            // Still usable, in both directions, and no byte was lost.
            try await CT.bounded(.seconds(10), "use after cancel") {
                try await p.server.write(Array("after".utf8))
                #expect(try await CT.readFull(p.client, 5) == Array("after".utf8))
                try await p.client.write(Array("back".utf8))
                #expect(try await CT.readFull(p.server, 4) == Array("back".utf8))
            }
            return latency
        }
    }

    @Test("cancelling a write blocked on a full buffer: operation was canceled, the conn still works", arguments: CTStream.allCases)
    func cancelBlockedWrite(kind: CTStream) async throws {
        try await CT.bestOfThree("cancel wakes write (\(kind))") {
            let p = try await CT.pair(kind)
            defer { p.close() }
            try CT.shrinkBuffers(writer: p.client, reader: p.server)
            let chunk = kind == .unixpacket ? [UInt8](repeating: 0, count: 1024) : [UInt8](repeating: 0, count: 8 << 20)
            let writer = Task { () -> CT.WakeResult in
                do {
                    for _ in 0..<100_000 { try await p.client.write(chunk) }
                    return CT.WakeResult(error: nil, at: .now)
                } catch {
                    return CT.WakeResult(error: error as? OpError, at: .now)
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            let cancelled = ContinuousClock.now
            writer.cancel()
            guard let r = await CT.value(of: writer, within: .seconds(5)) else {
                Issue.record("cancelled write did not return within 5 s")
                return nil
            }
            let e = try #require(r.error, "the writes completed though the peer never read")
            #expect(e.underlying is CancellationError)
            #expect(e.description == "\(CT.prefix("write", p.client, kind.rawValue)): operation was canceled")
            let latency = CT.ms(since: cancelled, to: r.at)

            // Still usable: the peer drains what was sent (zeros), then finds our marker.
            let marker = Array("MARK".utf8)
            try await CT.bounded(.seconds(20), "use after cancelled write") {
                let drain = Task { () throws -> Bool in
                    var tail: [UInt8] = []
                    var buf = [UInt8](repeating: 0, count: 64 * 1024)
                    while true {
                        let n = try await p.server.read(&buf)
                        if n == 0 { return false }
                        tail += buf[..<n].filter { $0 != 0 }
                        if tail == marker { return true }
                        if tail.count >= marker.count { return false }
                    }
                }
                try await p.client.write(marker)
                #expect(try await drain.value, "the marker written after the cancelled write did not arrive intact")
            }
            return latency
        }
    }

    @Test("cancelling a blocked accept: operation was canceled, the listener still accepts", arguments: CTStream.allCases)
    func cancelBlockedAccept(kind: CTStream) async throws {
        try await CT.bestOfThree("cancel wakes accept (\(kind))") {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let ln = kind == .tcp ? try await Net.listen("tcp", "127.0.0.1:0") : try await Net.listen(kind.rawValue, dir.path("x.sock"))
            defer { try? ln.close() }
            let acceptor = CT.blockedAccept(ln)
            try await Task.sleep(for: .milliseconds(30))
            let cancelled = ContinuousClock.now
            acceptor.cancel()
            guard let r = await CT.value(of: acceptor, within: .seconds(5)) else {
                Issue.record("cancelled accept did not return within 5 s")
                return nil
            }
            let e = try #require(r.error, "accept returned a connection")
            #expect(e.underlying is CancellationError)
            #expect(e.description == "accept \(kind.rawValue) \(ln.addr): operation was canceled")
            let latency = CT.ms(since: cancelled, to: r.at)

            try await CT.bounded(.seconds(10), "accept after cancel") {
                let c = try await Net.dial(kind.rawValue, ln.addr.description)
                defer { try? c.close() }
                let s = try await ln.accept()
                defer { try? s.close() }
                try await c.write(Array("hi".utf8))
                #expect(try await s.read(upTo: 8) == Array("hi".utf8))
            }
            return latency
        }
    }

    @Test("a read with no data in an already-cancelled task fails with operation was canceled, never parks")
    func readInCancelledTask() async throws {
        try await CT.withPair(.tcp) { p in
            // No data: a cancelled task must not park forever.
            let t = Task { () -> OpError? in
                withUnsafeCurrentTask { $0?.cancel() }
                return await CT.opError("read in a cancelled task") { try await CT.readSome(p.client) }
            }
            let r = await CT.value(of: t, within: .seconds(5))
            #expect(r != nil, "read in a cancelled task hung")
            #expect(r??.underlying is CancellationError)
        }
    }
}
