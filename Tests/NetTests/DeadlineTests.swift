// Deadlines on real sockets (RELIABILITY.md B1-B6, B8; GO-ERROR-STRINGS.md 3.3): past and
// future deadlines, wake-ups, clearing, independence of the two directions, accept deadlines,
// and the "set" error after close.
import Net
import Synchronization
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct DeadlineReadTests {
    @Test("a past read deadline fails the read even with data buffered (B1); clearing it loses nothing (B5)", arguments: CTStream.allCases)
    func pastDeadlineWithDataBuffered(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try await p.server.write(Array("buffered".utf8))
            try await Task.sleep(for: .milliseconds(20))
            try p.client.setReadDeadline(.now - .seconds(5))
            let start = ContinuousClock.now
            let e = try #require(await CT.opError("read past deadline") { try await CT.readSome(p.client) })
            #expect(CT.ms(since: start) < 100, "a past deadline must fail at once")
            CT.expectDeadlineExceeded(e)
            #expect(e.description == "\(CT.prefix("read", p.client, kind.rawValue)): i/o timeout")
            // Sticky until moved: a second read fails too.
            let again = await CT.opError("second read past deadline") { try await CT.readSome(p.client) }
            #expect(again?.timeout == true)

            try p.client.setReadDeadline(nil)
            #expect(try await CT.readFull(p.client, 8) == Array("buffered".utf8))
        }
    }

    @Test("read tcp 127.0.0.1:C->127.0.0.1:S: i/o timeout; read unix @->PATH: i/o timeout")
    func timeoutTexts() async throws {
        try await CT.withPair(.tcp) { p in
            try p.client.setReadDeadline(.now)
            let e = try #require(await CT.opError("tcp read") { try await CT.readSome(p.client) })
            let local = "\(p.client.localAddr!)", remote = "\(p.client.remoteAddr!)"
            #expect(local.hasPrefix("127.0.0.1:") && remote.hasPrefix("127.0.0.1:"))
            #expect(e.description == "read tcp \(local)->\(remote): i/o timeout")
        }
        try await CT.withPair(.unix) { p in
            try p.client.setReadDeadline(.now)
            let e = try #require(await CT.opError("unix read") { try await CT.readSome(p.client) })
            #expect(e.description == "read unix @->\(p.path!): i/o timeout")
            try p.server.setReadDeadline(.now)
            let s = try #require(await CT.opError("unix server read") { try await CT.readSome(p.server) })
            #expect(s.description == "read unix \(p.path!)->@: i/o timeout")
        }
    }

    @Test("a 50 ms read deadline fires not before 50 ms and within 1.05 s (B2)", arguments: CTStream.allCases)
    func futureDeadlineFires(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            var overshoots: [Double] = []
            for _ in 0..<3 {
                let start = ContinuousClock.now
                let deadline = start + .milliseconds(50)
                try p.client.setReadDeadline(deadline)
                let e = try #require(await CT.opError("read with a 50 ms deadline") { try await CT.readSome(p.client) })
                let end = ContinuousClock.now
                CT.expectDeadlineExceeded(e)
                #expect(end >= deadline, "returned \(CT.ms(end - deadline)) ms before the deadline")
                #expect(CT.ms(since: start, to: end) < 1050)
                overshoots.append(CT.ms(end - deadline))
            }
            CT.reportLatency("read deadline overshoot (\(kind))", overshoots)
        }
    }

    @Test("a blocked read wakes within 50 ms when another task sets a past deadline (B3)", arguments: CTStream.allCases)
    func pastDeadlineWakesBlockedRead(kind: CTStream) async throws {
        try await CT.bestOfThree("past deadline wakes read (\(kind))") {
            let p = try await CT.pair(kind)
            defer { p.close() }
            let reader = CT.blockedRead(p.client)
            try await Task.sleep(for: .milliseconds(30))
            let set = ContinuousClock.now
            try p.client.setReadDeadline(.now - .seconds(1))
            guard let r = await CT.value(of: reader, within: .seconds(5)) else {
                Issue.record("blocked read did not wake after the deadline moved to the past")
                return nil
            }
            let e = try #require(r.error, "read returned data")
            CT.expectDeadlineExceeded(e)
            return CT.ms(since: set, to: r.at)
        }
    }

    @Test("a deadline set then cleared while blocked: still blocked after 100 ms, then reads the data (B4)", arguments: CTStream.allCases)
    func clearedDeadlineKeepsBlocking(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try p.client.setReadDeadline(.now + .milliseconds(50))
            let finished = CTFlag()
            let reader = Task { () -> [UInt8]? in
                defer { finished.set() }
                return try? await CT.readSome(p.client)
            }
            try await Task.sleep(for: .milliseconds(10))
            try p.client.setReadDeadline(nil)
            try await Task.sleep(for: .milliseconds(150))
            let returnedEarly = finished.isSet
            #expect(!returnedEarly, "read returned although the deadline was cleared")
            try await p.server.write(Array("data".utf8))
            let r = await CT.value(of: reader, within: .seconds(5))
            #expect(r == .some(.some(Array("data".utf8))))
        }
    }

    @Test("a past deadline then cleared, before the read starts: the read blocks (Go's MustNotReturn)", arguments: CTStream.streams)
    func pastThenClearedBeforeRead(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try p.client.setReadDeadline(.now - .seconds(1))
            try p.client.setReadDeadline(nil)
            let finished = CTFlag()
            let reader = Task { () -> [UInt8]? in
                defer { finished.set() }
                return try? await CT.readSome(p.client)
            }
            try await Task.sleep(for: .milliseconds(100))
            let returnedEarly = finished.isSet
            #expect(!returnedEarly)
            try await p.server.write(Array("ok".utf8))
            #expect(await CT.value(of: reader, within: .seconds(5)) == .some(.some(Array("ok".utf8))))
        }
    }

    @Test("after a timeout, extending the deadline makes reads work again, no data lost (B5)", arguments: CTStream.allCases)
    func extendAfterTimeout(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try p.client.setReadDeadline(.now + .milliseconds(20))
            let e = try #require(await CT.opError("read times out") { try await CT.readSome(p.client) })
            CT.expectDeadlineExceeded(e)
            try await p.server.write(Array("one".utf8))
            try p.client.setReadDeadline(.now + .seconds(10))
            #expect(try await CT.readFull(p.client, 3) == Array("one".utf8))
            // Times out again at the new deadline, and recovers again.
            try p.client.setReadDeadline(.now + .milliseconds(20))
            #expect(await CT.opError("second timeout") { try await CT.readSome(p.client) }?.timeout == true)
            try await p.server.write(Array("two".utf8))
            try p.client.setReadDeadline(nil)
            #expect(try await CT.readFull(p.client, 3) == Array("two".utf8))
        }
    }
}

@Suite(.fdLeakCheck)
struct DeadlineWriteTests {
    @Test("a write deadline with a peer that never reads: write ...: i/o timeout, no busy loop (B6)", arguments: CTStream.streams)
    func writeDeadlineTimesOut(kind: CTStream) async throws {
        var cpu: [Double] = []
        for _ in 0..<3 {
            let spent: Double = try await CT.withPair(kind) { p in
                try CT.shrinkBuffers(writer: p.client, reader: p.server)
                let start = ContinuousClock.now
                let deadline = start + .milliseconds(300)
                try p.client.setWriteDeadline(deadline)
                let cpuBefore = CT.processCPUMs()
                let e = try #require(await CT.opError("write with a deadline") {
                    try await p.client.write([UInt8](repeating: 7, count: 32 << 20))
                })
                let cpuUsed = CT.processCPUMs() - cpuBefore
                CT.expectDeadlineExceeded(e)
                #expect(e.description == "\(CT.prefix("write", p.client, kind.rawValue)): i/o timeout")
                #expect(ContinuousClock.now >= deadline)
                #expect(CT.ms(since: start) < 1300)
                // Sticky: the next write fails at once; moving the deadline and draining fixes it.
                #expect(await CT.opError("second write") { try await p.client.write([1]) }?.timeout == true)
                return cpuUsed
            }
            cpu.append(spent)
            // A writer spinning on EAGAIN for 300 ms burns about 300 ms of CPU.
            if spent < 150 { break }
        }
        CT.reportLatency("process CPU during a 300 ms blocked write (\(kind))", cpu)
        #expect(cpu.contains { $0 < 150 }, "the blocked write seems to spin: CPU \(cpu) ms per 300 ms")
    }

    @Test("read and write deadlines are independent", arguments: CTStream.allCases)
    func directionsAreIndependent(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            // Write deadline passed: reads still work, writes fail.
            try p.client.setWriteDeadline(.now - .seconds(1))
            try await p.server.write(Array("in".utf8))
            #expect(try await CT.readFull(p.client, 2) == Array("in".utf8))
            let w = try #require(await CT.opError("write past deadline") { try await p.client.write(Array("x".utf8)) })
            CT.expectDeadlineExceeded(w)
            #expect(w.description == "\(CT.prefix("write", p.client, kind.rawValue)): i/o timeout")
            try p.client.setWriteDeadline(nil)

            // Read deadline passed: writes still work, reads fail.
            try p.client.setReadDeadline(.now - .seconds(1))
            try await p.client.write(Array("out".utf8))
            #expect(try await CT.readFull(p.server, 3) == Array("out".utf8))
            let r = try #require(await CT.opError("read past deadline") { try await CT.readSome(p.client) })
            CT.expectDeadlineExceeded(r)
            try p.client.setReadDeadline(nil)

            // A read deadline firing while a read is blocked leaves a concurrent write alone.
            try p.client.setReadDeadline(.now + .milliseconds(30))
            async let timedOut = CT.opError("read with deadline") { try await CT.readSome(p.client) }
            try await p.client.write(Array("during".utf8))
            #expect(await timedOut?.timeout == true)
            #expect(try await CT.readFull(p.server, 6) == Array("during".utf8))
        }
    }

    @Test("setDeadline sets both directions; nil clears both", arguments: CTStream.allCases)
    func setDeadlineSetsBoth(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try p.client.setDeadline(.now - .seconds(1))
            let r = try #require(await CT.opError("read") { try await CT.readSome(p.client) })
            let w = try #require(await CT.opError("write") { try await p.client.write(Array("x".utf8)) })
            CT.expectDeadlineExceeded(r)
            CT.expectDeadlineExceeded(w)
            try p.client.setDeadline(nil)
            try await p.client.write(Array("ok".utf8))
            #expect(try await CT.readFull(p.server, 2) == Array("ok".utf8))
            try await p.server.write(Array("ok".utf8))
            #expect(try await CT.readFull(p.client, 2) == Array("ok".utf8))
        }
    }

    @Test("setDeadline after close: set tcp LOCAL: use of closed network connection", arguments: CTStream.allCases)
    func setDeadlineAfterClose(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try p.client.close()
            let local = "\(p.client.localAddr!)"
            for (name, set) in [
                ("setDeadline", { () throws in try p.client.setDeadline(.now) }),
                ("setReadDeadline", { () throws in try p.client.setReadDeadline(nil) }),
                ("setWriteDeadline", { () throws in try p.client.setWriteDeadline(.now + .seconds(1)) }),
            ] as [(String, () throws -> Void)] {
                let e = try #require(await CT.opError(name) { try set() })
                #expect(e.description == "set \(kind.rawValue) \(local): use of closed network connection", "\(name)")
                #expect(e.source == nil)
                #expect(e.addr.map { "\($0)" } == local)
                #expect(e.isClosed)
            }
            if kind == .tcp {
                #expect(local.hasPrefix("127.0.0.1:"))
            }
        }
    }
}

@Suite(.fdLeakCheck)
struct DeadlineAcceptTests {
    @Test("an accept deadline: accept tcp ADDR: i/o timeout, not before the deadline (B8)", arguments: CTStream.allCases)
    func acceptDeadline(kind: CTStream) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ln = kind == .tcp ? try await Net.listen("tcp", "127.0.0.1:0") : try await Net.listen(kind.rawValue, dir.path("d.sock"))
        defer { try? ln.close() }
        try await CT.bounded(.seconds(20), "accept deadline") {
            let start = ContinuousClock.now
            let deadline = start + .milliseconds(50)
            try CT.setAcceptDeadline(ln, deadline)
            let e = try #require(await CT.opError("accept with deadline") { try await ln.accept() })
            let end = ContinuousClock.now
            CT.expectDeadlineExceeded(e)
            #expect(e.description == "accept \(kind.rawValue) \(ln.addr): i/o timeout")
            #expect(end >= deadline)
            #expect(CT.ms(since: start, to: end) < 1050)
            CT.reportLatency("accept deadline overshoot (\(kind))", [CT.ms(end - deadline)])

            // A past deadline then cleared: accept blocks (still waiting after 100 ms), then works.
            try CT.setAcceptDeadline(ln, .now - .seconds(1))
            try CT.setAcceptDeadline(ln, nil)
            let finished = CTFlag()
            let acceptor = Task { () -> Bool in
                defer { finished.set() }
                guard let c = try? await ln.accept() else { return false }
                try? c.close()
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
            let returnedEarly = finished.isSet
            #expect(!returnedEarly, "accept returned although the deadline was cleared")
            let c = try await Net.dial(kind.rawValue, ln.addr.description)
            defer { try? c.close() }
            #expect(await CT.value(of: acceptor, within: .seconds(5)) == true)
        }
    }

    @Test("a blocked accept wakes within 50 ms when the deadline moves to the past")
    func pastDeadlineWakesAccept() async throws {
        try await CT.bestOfThree("past deadline wakes accept (tcp)") {
            let ln = try await Net.listen("tcp", "127.0.0.1:0")
            defer { try? ln.close() }
            let acceptor = CT.blockedAccept(ln)
            try await Task.sleep(for: .milliseconds(30))
            let set = ContinuousClock.now
            try CT.setAcceptDeadline(ln, .now - .seconds(1))
            guard let r = await CT.value(of: acceptor, within: .seconds(5)) else {
                Issue.record("blocked accept did not wake")
                return nil
            }
            let e = try #require(r.error)
            CT.expectDeadlineExceeded(e)
            return CT.ms(since: set, to: r.at)
        }
    }

    @Test("setDeadline on a closed listener fails with use of closed network connection")
    func listenerSetDeadlineAfterClose() async throws {
        let ln = try await Net.listen("tcp", "127.0.0.1:0")
        try ln.close()
        let e = try #require(await CT.opError("set after close") { try CT.setAcceptDeadline(ln, .now) })
        #expect(e.isClosed)
        #expect(e.description.hasSuffix(": use of closed network connection"))
    }
}
