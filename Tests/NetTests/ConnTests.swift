// The read and write contracts of stream connections on real sockets (DESIGN.md invariants 3
// and 4; RELIABILITY.md A6, A7, A9, G1): tcp, unix and unixpacket.
import Glibc
import Net
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct ConnReadContractTests {
    @Test("read returns the bytes available (at least 1) without waiting for a full buffer", arguments: CTStream.allCases)
    func readReturnsWhatIsAvailable(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try await p.server.write(Array("hello".utf8))
            var buf = [UInt8](repeating: 0, count: 100)
            let n = try await p.client.read(&buf)
            #expect(n == 5)
            #expect(Array(buf[..<n]) == Array("hello".utf8))

            // The raw-buffer form and the convenience form say the same.
            try await p.server.write(Array("abc".utf8))
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
            defer { raw.deallocate() }
            let m = try await p.client.read(into: raw)
            #expect(Array(raw[..<m]) == Array("abc".utf8))
            try await p.server.write("xyz")
            #expect(try await p.client.read(upTo: 64) == Array("xyz".utf8))
        }
    }

    @Test("a read parks until data arrives, then returns it", arguments: CTStream.allCases)
    func readWaitsForData(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            let reader = Task { try await CT.readSome(p.client) }
            try await Task.sleep(for: .milliseconds(30))
            try await p.server.write(Array("late".utf8))
            #expect(try await reader.value == Array("late".utf8))
        }
    }

    @Test("a zero-length buffer returns 0 at once, with no data and with data waiting", arguments: CTStream.allCases)
    func zeroLengthRead(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            // No data at all: must not block.
            var empty: [UInt8] = []
            let start = ContinuousClock.now
            #expect(try await p.client.read(&empty) == 0)
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 1)
            defer { raw.deallocate() }
            #expect(try await p.client.read(into: raw) == 0)
            #expect(try await p.client.read(upTo: 0) == [])
            #expect(CT.ms(since: start) < 1000)

            // With data waiting, the zero-length read consumes nothing.
            try await p.server.write(Array("x".utf8))
            try await Task.sleep(for: .milliseconds(10))
            #expect(try await p.client.read(&empty) == 0)
            #expect(try await CT.readSome(p.client) == Array("x".utf8))
        }
    }

    @Test("after the peer closes, read returns the rest, then 0, and 0 again", arguments: CTStream.allCases)
    func readAfterPeerClose(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try await p.server.write(Array("bye".utf8))
            try p.server.close()
            #expect(try await CT.readSome(p.client) == Array("bye".utf8))
            for _ in 0..<3 {
                var buf = [UInt8](repeating: 0, count: 16)
                #expect(try await p.client.read(&buf) == 0)
            }
            #expect(try await p.client.readAll() == [])
        }
    }

    @Test("a blocked read wakes with 0 when the peer closes (A6)", arguments: CTStream.allCases)
    func peerCloseWakesBlockedRead(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            let reader = Task { () -> (Int, ContinuousClock.Instant)? in
                var buf = [UInt8](repeating: 0, count: 16)
                guard let n = try? await p.client.read(&buf) else { return nil }
                return (n, .now)
            }
            try await Task.sleep(for: .milliseconds(30))
            let closed = ContinuousClock.now
            try p.server.close()
            let r = await CT.value(of: reader, within: .seconds(5))
            try? p.client.close()
            let (n, woke) = try #require(r ?? nil, "blocked read did not return 0 after the peer closed")
            #expect(n == 0)
            #expect(CT.ms(since: closed, to: woke) < 1000)
        }
    }

    @Test("RST from the peer: read tcp A->B: read: connection reset by peer, not temporary (A7)")
    func resetByPeer() async throws {
        try await CT.withPair(.tcp) { p in
            try (p.client as! TCPConn).setLinger(0)
            try p.client.close()
            try await Task.sleep(for: .milliseconds(20))
            let e = try #require(await CT.opError("read after RST") { try await CT.readSome(p.server) })
            let prefix = "read tcp \(p.server.localAddr!)->\(p.server.remoteAddr!)"
            #expect(e.description == "\(prefix): read: connection reset by peer")
            #expect(e.temporary == false)
            #expect(e.timeout == false)
            #expect(!e.isClosed)
            #expect((e.underlying as? SyscallError)?.err == .ECONNRESET)
        }
    }

    @Test("RST wakes a blocked read with connection reset by peer")
    func resetWakesBlockedRead() async throws {
        try await CT.withPair(.tcp) { p in
            let reader = Task { () -> OpError? in
                await CT.opError("blocked read before RST") { try await CT.readSome(p.server) }
            }
            try await Task.sleep(for: .milliseconds(30))
            try (p.client as! TCPConn).setLinger(0)
            try p.client.close()
            let r = await CT.value(of: reader, within: .seconds(5))
            try? p.server.close()
            let e = try #require(r ?? nil, "blocked read did not wake on RST")
            #expect(e.description.hasSuffix(": read: connection reset by peer"))
            #expect(e.temporary == false)
        }
    }
}

@Suite(.fdLeakCheck)
struct ConnWriteContractTests {
    @Test("a 16 MiB write to a slow reader arrives whole and in order", arguments: CTStream.streams)
    func bigWriteArrivesWhole(kind: CTStream) async throws {
        try await CT.withPair(kind, .seconds(60)) { p in
            let size = 16 * 1024 * 1024
            let sent = CT.pattern(size, seed: 7)
            let writer = Task { () -> Result<Void, OpError> in
                do { try await p.client.write(sent) } catch { return .failure(error as! OpError) }
                return .success(())
            }
            // A slow reader: small reads, a pause now and then.
            var got: [UInt8] = []
            got.reserveCapacity(size)
            var buf = [UInt8](repeating: 0, count: 16 * 1024)
            var reads = 0
            while got.count < size {
                let n = try await p.server.read(&buf)
                if n == 0 { break }
                got += buf[..<n]
                reads += 1
                if reads % 64 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            let w = await CT.value(of: writer, within: .seconds(10))
            #expect(w != nil, "writer did not finish")
            if case .failure(let e)? = w { Issue.record("write failed: \(e)") }
            #expect(got.count == size)
            #expect(got == sent)
        }
    }

    @Test("a write to a closed peer is write: broken pipe, and the process survives (G1)", arguments: CTStream.allCases)
    func writeToClosedPeer(kind: CTStream) async throws {
        // The library must not change the process's SIGPIPE disposition to get here.
        let before = CT.sigpipeHandler()
        try await CT.withPair(kind) { p in
            try p.server.close()
            try await Task.sleep(for: .milliseconds(20))
            let e = try #require(await CT.opError("writes to a closed peer") {
                // TCP may accept the first write; the peer's RST makes a later one fail.
                for _ in 0..<100 {
                    try await p.client.write(Array("data".utf8))
                    try await Task.sleep(for: .milliseconds(5))
                }
            })
            #expect(e.description == "\(CT.prefix("write", p.client, kind.rawValue)): write: broken pipe")
            #expect((e.underlying as? SyscallError)?.err == .EPIPE)
        }
        // Still alive, and SIGPIPE's disposition is what it was (SIG_DFL unless the test runner
        // changed it): the write used MSG_NOSIGNAL, not a process-wide SIG_IGN.
        #expect(CT.sigpipeHandler() == before)
    }

    @Test("after closeWrite, write fails with broken pipe", arguments: CTStream.allCases)
    func writeAfterCloseWrite(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try CT.closeWrite(p.client)
            let e = try #require(await CT.opError("write after closeWrite") { try await p.client.write(Array("x".utf8)) })
            #expect(e.description == "\(CT.prefix("write", p.client, kind.rawValue)): write: broken pipe")
        }
    }

    @Test("write of an empty buffer on a stream returns at once and sends nothing", arguments: CTStream.streams)
    func emptyWriteOnStream(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try await p.client.write([])
            try await p.client.write(Array("z".utf8))
            #expect(try await CT.readSome(p.server) == Array("z".utf8))
        }
    }
}

@Suite(.fdLeakCheck)
struct ConnHalfCloseTests {
    @Test("closeWrite: the peer reads EOF, then writes back and we read it (A8)", arguments: CTStream.allCases)
    func closeWriteThenPeerReplies(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try await p.client.write(Array("request".utf8))
            try CT.closeWrite(p.client)
            #expect(try await CT.readFull(p.server, 7) == Array("request".utf8))
            var buf = [UInt8](repeating: 0, count: 16)
            #expect(try await p.server.read(&buf) == 0, "peer should read end of stream")
            #expect(try await p.server.read(&buf) == 0)
            try await p.server.write(Array("reply".utf8))
            try await p.server.write(Array("-more".utf8))
            try p.server.close()
            #expect(try await p.client.readAll() == Array("reply-more".utf8))
        }
    }

    @Test("closeWrite wakes the peer's blocked read with 0", arguments: CTStream.allCases)
    func closeWriteWakesPeer(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            let reader = Task { () -> Int? in
                var buf = [UInt8](repeating: 0, count: 16)
                return try? await p.server.read(&buf)
            }
            try await Task.sleep(for: .milliseconds(30))
            try CT.closeWrite(p.client)
            let r = await CT.value(of: reader, within: .seconds(5))
            try? p.server.close()
            #expect(r == .some(.some(0)))
        }
    }

    @Test("closeRead: our reads return 0; writing still works", arguments: CTStream.allCases)
    func closeReadGivesEOF(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try CT.closeRead(p.client)
            var buf = [UInt8](repeating: 0, count: 16)
            #expect(try await p.client.read(&buf) == 0)
            #expect(try await p.client.read(&buf) == 0)
            try await p.client.write(Array("still".utf8))
            #expect(try await CT.readFull(p.server, 5) == Array("still".utf8))
        }
    }

    @Test("closeRead and closeWrite after close fail with use of closed network connection", arguments: CTStream.allCases)
    func halfCloseAfterClose(kind: CTStream) async throws {
        try await CT.withPair(kind) { p in
            try p.client.close()
            let prefix = CT.prefix("close", p.client, kind.rawValue)
            let w = try #require(await CT.opError("closeWrite after close") { try CT.closeWrite(p.client) })
            #expect(w.description == "\(prefix): use of closed network connection")
            #expect(w.isClosed)
            let r = try #require(await CT.opError("closeRead after close") { try CT.closeRead(p.client) })
            #expect(r.description == "\(prefix): use of closed network connection")
        }
    }
}
