// Close semantics on real sockets (RELIABILITY.md A1-A5; DESIGN.md invariant 1): close wakes
// blocked reads, writes and accepts with ErrClosed, later calls fail at once, close(2) happens
// once, and an fd number reused after close is never touched by the closed conn.
import Glibc
import Net
import Synchronization
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct ConnCloseTests {
    @Test("close from another task wakes a blocked read with ErrClosed within 50 ms (A1)", arguments: CTStream.allCases)
    func closeWakesBlockedRead(kind: CTStream) async throws {
        try await CT.bestOfThree("close wakes read (\(kind))") {
            let p = try await CT.pair(kind)
            defer { p.close() }
            let reader = CT.blockedRead(p.client)
            try await Task.sleep(for: .milliseconds(30))
            let closed = ContinuousClock.now
            try p.client.close()
            guard let r = await CT.value(of: reader, within: .seconds(5)) else {
                Issue.record("blocked read did not wake within 5 s of close")
                return nil
            }
            let e = try #require(r.error, "read returned instead of failing")
            #expect(e.isClosed)
            #expect(e.description == "\(CT.prefix("read", p.client, kind.rawValue)): use of closed network connection")
            return CT.ms(since: closed, to: r.at)
        }
    }

    @Test("close wakes a write blocked on a full send buffer within 50 ms (A2)", arguments: CTStream.allCases)
    func closeWakesBlockedWrite(kind: CTStream) async throws {
        try await CT.bestOfThree("close wakes write (\(kind))") {
            let p = try await CT.pair(kind)
            defer { p.close() }
            try CT.shrinkBuffers(writer: p.client, reader: p.server)
            // unixpacket sends one message per write: keep it under the send buffer's limit and
            // write until blocked.
            let chunk = kind == .unixpacket ? [UInt8](repeating: 1, count: 1024) : [UInt8](repeating: 1, count: 8 << 20)
            let writer = Task { () -> CT.WakeResult in
                do {
                    for _ in 0..<100_000 { try await p.client.write(chunk) }
                    return CT.WakeResult(error: nil, at: .now)
                } catch {
                    return CT.WakeResult(error: error as? OpError, at: .now)
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            let closed = ContinuousClock.now
            try p.client.close()
            guard let r = await CT.value(of: writer, within: .seconds(5)) else {
                Issue.record("blocked write did not wake within 5 s of close")
                return nil
            }
            let e = try #require(r.error, "the peer never reads, yet the writes completed")
            #expect(e.isClosed)
            #expect(e.description == "\(CT.prefix("write", p.client, kind.rawValue)): use of closed network connection")
            return CT.ms(since: closed, to: r.at)
        }
    }

    @Test("close wakes a blocked accept with ErrClosed within 50 ms (A3)", arguments: CTStream.allCases)
    func closeWakesBlockedAccept(kind: CTStream) async throws {
        try await CT.bestOfThree("close wakes accept (\(kind))") {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let ln = kind == .tcp ? try await Net.listen("tcp", "127.0.0.1:0") : try await Net.listen(kind.rawValue, dir.path("a.sock"))
            defer { try? ln.close() }
            let acceptor = CT.blockedAccept(ln)
            try await Task.sleep(for: .milliseconds(30))
            let closed = ContinuousClock.now
            try ln.close()
            guard let r = await CT.value(of: acceptor, within: .seconds(5)) else {
                Issue.record("blocked accept did not wake within 5 s of close")
                return nil
            }
            let e = try #require(r.error, "accept returned a connection")
            #expect(e.isClosed)
            #expect(e.description == "accept \(kind.rawValue) \(ln.addr): use of closed network connection")
            #expect(e.source == nil)
            return CT.ms(since: closed, to: r.at)
        }
    }

    @Test("read, write and close after close fail at once with ErrClosed (A4)", arguments: CTStream.allCases)
    func operationsAfterClose(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try await p.server.write(Array("unread".utf8))   // data waiting must not matter
            try await Task.sleep(for: .milliseconds(10))
            try p.client.close()
            let start = ContinuousClock.now
            let r = try #require(await CT.opError("read after close") { try await CT.readSome(p.client) })
            let w = try #require(await CT.opError("write after close") { try await p.client.write(Array("x".utf8)) })
            let c = try #require(await CT.opError("second close") { try p.client.close() })
            #expect(CT.ms(since: start) < 100)
            for e in [r, w, c] {
                #expect(e.isClosed)
                #expect(e.underlying is ErrClosed)
                #expect(e.timeout == false)
                #expect(e.temporary == false)
            }
            #expect(r.description == "\(CT.prefix("read", p.client, kind.rawValue)): use of closed network connection")
            #expect(w.description == "\(CT.prefix("write", p.client, kind.rawValue)): use of closed network connection")
            #expect(c.description == "\(CT.prefix("close", p.client, kind.rawValue)): use of closed network connection")
            // A zero-length read after close: Go checks the lock first, so it fails too.
            var empty: [UInt8] = []
            let z = await CT.opError("zero-length read after close") { try await p.client.read(&empty) }
            #expect(z?.isClosed == true)
        }
    }

    @Test("the second close of a tcp conn: close tcp A->B: use of closed network connection")
    func secondCloseText() async throws {
        try await CT.withPair(.tcp) { p in
            try p.client.close()
            let e = try #require(await CT.opError("second close") { try p.client.close() })
            let local = "\(p.client.localAddr!)", remote = "\(p.client.remoteAddr!)"
            #expect(local.hasPrefix("127.0.0.1:"))
            #expect(e.description == "close tcp \(local)->\(remote): use of closed network connection")
            #expect(e.op == "close")
            #expect(e.net == "tcp")
        }
    }

    @Test("accept and close after a listener's close fail with ErrClosed", arguments: CTStream.allCases)
    func listenerAfterClose(kind: CTStream) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ln = kind == .tcp ? try await Net.listen("tcp", "127.0.0.1:0") : try await Net.listen(kind.rawValue, dir.path("l.sock"))
        try ln.close()
        let a = try #require(await CT.opError("accept after close") { try await ln.accept() })
        #expect(a.description == "accept \(kind.rawValue) \(ln.addr): use of closed network connection")
        let c = try #require(await CT.opError("second listener close") { try ln.close() })
        #expect(c.description == "close \(kind.rawValue) \(ln.addr): use of closed network connection")
    }

    @Test("8 tasks close one conn at once: exactly one succeeds (A5)", arguments: CTStream.allCases)
    func concurrentCloseExactlyOnce(kind: CTStream) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let address = kind == .tcp ? "127.0.0.1:0" : dir.path("c.sock")
        let ln = try await Net.listen(kind.rawValue, address)
        defer { try? ln.close() }
        try await CT.bounded(.seconds(60), "concurrent closes") {
            for iteration in 0..<100 {
                let client = try await Net.dial(kind.rawValue, ln.addr.description) as! SocketConn
                let server = try await ln.accept() as! SocketConn
                defer { try? server.close() }
                let prefix = CT.prefix("close", client, kind.rawValue)
                let outcomes = await withTaskGroup(of: OpError?.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            do { try client.close(); return nil } catch { return error as? OpError ?? OpError(op: "?", net: "", underlying: error) }
                        }
                    }
                    var all: [OpError?] = []
                    for await o in group { all.append(o) }
                    return all
                }
                let successes = outcomes.filter { $0 == nil }.count
                #expect(successes == 1, "iteration \(iteration): \(successes) closes succeeded")
                for case let e? in outcomes {
                    #expect(e.isClosed)
                    #expect(e.description == "\(prefix): use of closed network connection")
                }
                // The server sees end of stream: the socket really was closed (once).
                var buf = [UInt8](repeating: 0, count: 8)
                #expect(try await server.read(&buf) == 0)
                if successes != 1 { break }
            }
        }
    }

    @Test("an fd opened right after close (same number) is untouched by the closed conn (A5)", arguments: CTStream.allCases)
    func reusedNumberIsUntouched(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            let old = try CT.fdNumber(p.client)
            try p.client.close()
            // The lowest free number: most likely the one just closed.
            let pipe = try CT.pipe()
            defer { try? Syscall.close(pipe.read); try? Syscall.close(pipe.write) }
            // Watch the reused number if it was reused, else the read end.
            let watched = (pipe.read == old || pipe.write == old) ? old : pipe.read
            let flagsBefore = try Syscall.fcntl(watched, Glibc.F_GETFL, 0)

            // Every operation on the closed conn fails and must not touch the number.
            var buf = [UInt8](repeating: 0, count: 8)
            _ = try? await p.client.read(&buf)
            _ = try? await p.client.write(Array("must not reach the pipe".utf8))
            _ = try? p.client.close()
            _ = try? p.client.setDeadline(.now)
            _ = try? p.client.setReadBuffer(1024)
            _ = try? p.client.setWriteBuffer(1024)
            if let fd = try? p.client.file() {
                Issue.record("file() on a closed conn returned fd \(fd)")
                try? Syscall.close(fd)
            }
            try? CT.closeWrite(p.client)
            try? CT.closeRead(p.client)
            #expect(throws: (any Error).self) { try p.client.syscallConn().control { _ in } }

            // The pipe still works, is still a pipe, and still has its flags.
            _ = try Syscall.write(pipe.write, Array("pipe ok".utf8))
            var got = [UInt8](repeating: 0, count: 64)
            let n = try Syscall.read(pipe.read, &got)
            #expect(Array(got[..<n]) == Array("pipe ok".utf8), "reused fd's data was disturbed")
            let st = try Syscall.fstat(watched)
            #expect(st.mode & 0o170000 == 0o010000, "fd \(watched) is no longer a pipe")
            #expect(try Syscall.fcntl(watched, Glibc.F_GETFL, 0) == flagsBefore)
            // And the peer saw one clean close.
            var b = [UInt8](repeating: 0, count: 8)
            #expect(try await p.server.read(&b) == 0)
        }
    }

    @Test("close during a blocked read defers close(2): a new fd is untouched once the read returns", arguments: CTStream.streams)
    func reuseAfterCloseDuringRead(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            let reader = Task { () -> OpError? in
                await CT.opError("blocked read") { try await CT.readSome(p.client) }
            }
            try await Task.sleep(for: .milliseconds(20))
            try p.client.close()
            let r = await CT.value(of: reader, within: .seconds(5))
            #expect(r??.isClosed == true)
            let pipe = try CT.pipe()
            defer { try? Syscall.close(pipe.read); try? Syscall.close(pipe.write) }
            // The peer writes: if the closed conn still read from its old number, it would not matter
            // to it, but the pipe must keep exactly what we put in.
            _ = try? await p.server.write(Array("peer".utf8))   // unix: broken pipe at once
            _ = try? await p.client.read(upTo: 8)
            _ = try Syscall.write(pipe.write, Array("mine".utf8))
            var got = [UInt8](repeating: 0, count: 16)
            let n = try Syscall.read(pipe.read, &got)
            #expect(Array(got[..<n]) == Array("mine".utf8))
        }
    }
}
