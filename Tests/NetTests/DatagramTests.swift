// Datagram and seqpacket behaviour on real sockets (RELIABILITY.md E8; GO-ERROR-STRINGS.md 3.4):
// message boundaries, truncation, zero-byte datagrams, unnamed senders, and Go's error texts.
import Net
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct DatagramBoundaryTests {
    @Test("unixgram keeps message boundaries: three sends, three reads of the right sizes")
    func unixgramBoundaries() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await Net.listenPacket("unixgram", dir.path("srv.sock")) as! UnixConn
        defer { try? server.close() }
        let client = try await Net.listenPacket("unixgram", dir.path("cli.sock")) as! UnixConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "unixgram boundaries") {
            let sizes = [1, 100, 1000]
            for (i, size) in sizes.enumerated() {
                let n = try await client.writeToUnix(CT.pattern(size, seed: i), UnixAddr(name: dir.path("srv.sock"), net: "unixgram"))
                #expect(n == size)
            }
            for (i, size) in sizes.enumerated() {
                var buf = [UInt8](repeating: 0, count: 2048)
                let (n, from) = try await server.readFromUnix(&buf)
                #expect(n == size)
                #expect(Array(buf[..<n]) == CT.pattern(size, seed: i))
                #expect(from?.name == dir.path("cli.sock"))
                #expect(from?.net == "unixgram")
            }
        }
    }

    @Test("udp keeps message boundaries: three sends, three reads of the right sizes")
    func udpBoundaries() async throws {
        let server = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? server.close() }
        let client = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "udp boundaries") {
            let to = server.localAddr as! UDPAddr
            let sizes = [1, 100, 1000]
            for (i, size) in sizes.enumerated() {
                #expect(try await client.writeToUDP(CT.pattern(size, seed: i), to) == size)
            }
            for (i, size) in sizes.enumerated() {
                var buf = [UInt8](repeating: 0, count: 2048)
                let (n, from) = try await server.readFromUDP(&buf)
                #expect(n == size)
                #expect(Array(buf[..<n]) == CT.pattern(size, seed: i))
                #expect(from.map { "\($0)" } == "\(client.localAddr!)")
            }
            // The PacketConn forms and a dialed conn's read say the same.
            let dialed = try await Net.dial("udp", "\(to)") as! UDPConn
            defer { try? dialed.close() }
            try await dialed.write(CT.pattern(33))
            var buf = [UInt8](repeating: 0, count: 100)
            let (n, from) = try await server.readFrom(&buf)
            #expect(n == 33)
            let reply = try await server.writeTo(Array(buf[..<n]), from!)
            #expect(reply == 33)
            var back = [UInt8](repeating: 0, count: 100)
            #expect(try await dialed.read(&back) == 33)
        }
    }

    @Test("a datagram longer than the buffer is truncated; readMsgUDP reports MSG_TRUNC")
    func udpTruncation() async throws {
        let server = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? server.close() }
        let client = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "udp truncation") {
            let to = server.localAddr as! UDPAddr
            try await client.writeToUDP(CT.pattern(100), to)
            var small = [UInt8](repeating: 0, count: 10)
            var oob = [UInt8](repeating: 0, count: 64)
            let r = try await server.readMsgUDP(&small, &oob)
            #expect(r.n == 10)
            #expect(small == Array(CT.pattern(100)[..<10]))
            #expect(r.flags & Syscall.MSG_TRUNC != 0, "flags \(r.flags) lack MSG_TRUNC")
            #expect(r.oobn == 0)
            #expect(r.addr.map { "\($0)" } == "\(client.localAddr!)")

            // readFromUDP truncates the same way; the rest of the datagram is gone.
            try await client.writeToUDP(CT.pattern(100, seed: 1), to)
            try await client.writeToUDP(Array("next".utf8), to)
            var buf = [UInt8](repeating: 0, count: 10)
            #expect(try await server.readFromUDP(&buf).n == 10)
            var big = [UInt8](repeating: 0, count: 100)
            let next = try await server.readFromUDP(&big)
            #expect(Array(big[..<next.n]) == Array("next".utf8))

            // writeMsgUDP and a full buffer: no MSG_TRUNC.
            let sent = try await client.writeMsgUDP(Array("msg".utf8), [], to)
            #expect(sent.n == 3 && sent.oobn == 0)
            var full = [UInt8](repeating: 0, count: 100)
            let f = try await server.readMsgUDP(&full, &oob)
            #expect(f.n == 3)
            #expect(f.flags & Syscall.MSG_TRUNC == 0)
        }
    }

    @Test("unixgram: a zero-byte datagram from a named sender reads as n 0 with its address")
    func unixgramZeroByteDatagram() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await Net.listenPacket("unixgram", dir.path("srv.sock")) as! UnixConn
        defer { try? server.close() }
        let client = try await Net.listenPacket("unixgram", dir.path("named.sock")) as! UnixConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "zero-byte datagram") {
            #expect(try await client.writeToUnix([], UnixAddr(name: dir.path("srv.sock"), net: "unixgram")) == 0)
            try await client.writeToUnix(Array("after".utf8), UnixAddr(name: dir.path("srv.sock"), net: "unixgram"))
            var buf = [UInt8](repeating: 0, count: 64)
            let (n, from) = try await server.readFromUnix(&buf)
            #expect(n == 0)
            #expect(from?.name == dir.path("named.sock"))
            // The empty datagram was one message: the next read is the next datagram.
            let second = try await server.readFromUnix(&buf)
            #expect(Array(buf[..<second.n]) == Array("after".utf8))

            // A zero-byte buffer on a datagram socket consumes the datagram (Go's
            // TestUnixgramZeroByteBuffer): n 0, and the next read gets the next one.
            try await client.writeToUnix(Array("dropped".utf8), UnixAddr(name: dir.path("srv.sock"), net: "unixgram"))
            try await client.writeToUnix(Array("kept".utf8), UnixAddr(name: dir.path("srv.sock"), net: "unixgram"))
            var none: [UInt8] = []
            _ = try await server.readFromUnix(&none)
            let kept = try await server.readFromUnix(&buf)
            #expect(Array(buf[..<kept.n]) == Array("kept".utf8))
        }
    }

    @Test("unixgram: a write of no bytes on a connected socket sends an empty datagram, as Go's Write(nil)")
    func unixgramEmptyWriteSendsDatagram() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await Net.listenPacket("unixgram", dir.path("srv.sock")) as! UnixConn
        defer { try? server.close() }
        let client = try await Net.dial("unixgram", dir.path("srv.sock")) as! UnixConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "empty write") {
            try await client.write([])
            try await client.write(Array("after".utf8))
            var buf = [UInt8](repeating: 0, count: 64)
            try server.setReadDeadline(.now + .seconds(2))
            let first = try await server.readFromUnix(&buf)
            #expect(first.n == 0, "Go's Write(nil) sends an empty datagram; got \(Array(buf[..<first.n])) first")
        }
    }

    @Test("readFromUnix from an unnamed sender gives addr nil")
    func unnamedSender() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let server = try await Net.listenPacket("unixgram", dir.path("srv.sock")) as! UnixConn
        defer { try? server.close() }
        let client = try await Net.dial("unixgram", dir.path("srv.sock")) as! UnixConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "unnamed sender") {
            try await client.write(Array("anon".utf8))
            var buf = [UInt8](repeating: 0, count: 64)
            let (n, from) = try await server.readFromUnix(&buf)
            #expect(Array(buf[..<n]) == Array("anon".utf8))
            #expect(from == nil, "unnamed sender reported as \(String(describing: from))")
            // The generic form too.
            try await client.write(Array("anon2".utf8))
            let generic = try await server.readFrom(&buf)
            #expect(generic.addr == nil)
            // readMsgUnix agrees.
            try await client.write(Array("anon3".utf8))
            var oob = [UInt8](repeating: 0, count: 64)
            let m = try await server.readMsgUnix(&buf, &oob)
            #expect(m.n == 5)
            #expect(m.addr == nil)
        }
    }

    @Test("unixpacket keeps message boundaries; an empty message reads as 0")
    func unixpacketBoundaries() async throws {
        try await CT.withPair(.unixpacket) { p in
            let client = p.client as! UnixConn
            for size in [1, 100, 1000] { try await client.write(CT.pattern(size, seed: size)) }
            for size in [1, 100, 1000] {
                var buf = [UInt8](repeating: 0, count: 4096)
                let n = try await p.server.read(&buf)
                #expect(n == size)
                #expect(Array(buf[..<n]) == CT.pattern(size, seed: size))
            }
            // A message longer than the buffer is cut; the rest is dropped, not read next.
            try await client.write(CT.pattern(100))
            try await client.write(Array("next".utf8))
            var small = [UInt8](repeating: 0, count: 10)
            #expect(try await p.server.read(&small) == 10)
            #expect(try await CT.readSome(p.server) == Array("next".utf8))

            // An empty message (sendmsg with no data and no control): Go reads it as EOF, n 0.
            let sent = try await client.writeMsgUnix([], [], nil)
            #expect(sent.n == 0)
            try await client.write(Array("more".utf8))
            var buf = [UInt8](repeating: 0, count: 64)
            #expect(try await p.server.read(&buf) == 0)
            // It was only a message: the connection carries on.
            #expect(try await CT.readSome(p.server) == Array("more".utf8))
        }
    }

    @Test("unixpacket: a write of no bytes sends an empty message, as Go's Write(nil)")
    func unixpacketEmptyWrite() async throws {
        try await CT.withPair(.unixpacket) { p in
            try await p.client.write([])
            try await p.client.write(Array("after".utf8))
            var buf = [UInt8](repeating: 0, count: 64)
            let n = try await p.server.read(&buf)
            #expect(n == 0, "Go's Write(nil) on SEQPACKET sends an empty message; got \(Array(buf[..<n])) first")
        }
    }
}

@Suite(.fdLeakCheck)
struct DatagramErrorTests {
    @Test("writeToUDP on a dialed UDPConn: use of WriteTo with pre-connected connection")
    func writeToOnConnectedUDP() async throws {
        let server = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? server.close() }
        let dialed = try await Net.dial("udp", "\(server.localAddr!)") as! UDPConn
        defer { try? dialed.close() }
        let to = server.localAddr as! UDPAddr
        let e = try #require(await CT.opError("writeToUDP on a connected conn") { try await dialed.writeToUDP([1], to) })
        #expect(e.description == "write udp \(dialed.localAddr!)->\(to): use of WriteTo with pre-connected connection")
        #expect(e.underlying is ErrWriteToConnected)
        let m = try #require(await CT.opError("writeMsgUDP on a connected conn") { try await dialed.writeMsgUDP([1], [], to) })
        #expect(m.description == "write udp \(dialed.localAddr!)->\(to): use of WriteTo with pre-connected connection")
        let g = try #require(await CT.opError("writeTo on a connected conn") { try await dialed.writeTo([1], to) })
        #expect(g.underlying is ErrWriteToConnected)
    }

    @Test("write on an unconnected UDPConn: write udp ADDR: write: destination address required")
    func writeOnUnconnectedUDP() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? pc.close() }
        let e = try #require(await CT.opError("write on an unconnected conn") { try await pc.write([1, 2, 3]) })
        #expect(e.description == "write udp \(pc.localAddr!): write: destination address required")
        #expect((e.underlying as? SyscallError)?.err == .EDESTADDRREQ)
    }

    @Test("udp: writeToUDP(nil) is missing address; writeTo a UnixAddr is invalid argument")
    func udpAddressErrors() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        defer { try? pc.close() }
        let local = "\(pc.localAddr!)"
        let m = try #require(await CT.opError("writeToUDP(nil)") { try await pc.writeToUDP([1], nil) })
        #expect(m.description == "write udp \(local): missing address")
        let u = try #require(await CT.opError("writeTo(UnixAddr)") { try await pc.writeTo([1], UnixAddr(name: "x.sock")) })
        #expect(u.description == "write udp \(local)->x.sock: invalid argument")
        let big = try #require(await CT.opError("70000-byte datagram") {
            try await pc.writeToUDP([UInt8](repeating: 0, count: 70000), UDPAddr(ip: Net.parseIP("127.0.0.1"), port: 9))
        })
        #expect(big.description == "write udp \(local)->127.0.0.1:9: sendto: message too long")
    }

    @Test("unixgram: writeToUnix(nil) is missing address; a unix-net UnixAddr is address family not supported")
    func unixgramAddressErrors() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("g.sock")
        let g = try await Net.listenPacket("unixgram", path) as! UnixConn
        defer { try? g.close() }
        let m = try #require(await CT.opError("writeToUnix(nil)") { try await g.writeToUnix([1], nil) })
        #expect(m.description == "write unixgram \(path): missing address")
        let af = try #require(await CT.opError("UnixAddr net unix") { try await g.writeToUnix([1], UnixAddr(name: path, net: "unix")) })
        #expect(af.description == "write unixgram \(path)->\(path): address family not supported by protocol")
        #expect(af.underlying as? Errno == .EAFNOSUPPORT, "bare EAFNOSUPPORT, no syscall name")
        let nobody = try #require(await CT.opError("send to a missing path") {
            try await g.writeToUnix([1], UnixAddr(name: dir.path("nobody.sock"), net: "unixgram"))
        })
        #expect(nobody.description == "write unixgram \(path)->\(dir.path("nobody.sock")): sendto: no such file or directory")
        let w = try #require(await CT.opError("write on an unconnected unixgram") { try await g.write([1]) })
        #expect(w.description == "write unixgram \(path): write: transport endpoint is not connected")
    }

    @Test("writeToUnix on a dialed unixgram: use of WriteTo with pre-connected connection")
    func writeToOnConnectedUnixgram() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("g.sock")
        let g = try await Net.listenPacket("unixgram", path) as! UnixConn
        defer { try? g.close() }
        let c = try await Net.dial("unixgram", path) as! UnixConn
        defer { try? c.close() }
        let e = try #require(await CT.opError("writeToUnix on a connected conn") {
            try await c.writeToUnix([1], UnixAddr(name: path, net: "unixgram"))
        })
        #expect(e.description == "write unixgram @->\(path): use of WriteTo with pre-connected connection")
    }

    @Test("datagram reads time out and fail after close with Go's texts")
    func datagramDeadlineAndClose() async throws {
        let pc = try await Net.listenPacket("udp", "127.0.0.1:0") as! UDPConn
        let local = "\(pc.localAddr!)"
        try pc.setReadDeadline(.now + .milliseconds(20))
        var buf = [UInt8](repeating: 0, count: 16)
        let t = try #require(await CT.opError("udp read timeout") { try await pc.readFromUDP(&buf) })
        #expect(t.description == "read udp \(local): i/o timeout")
        #expect(t.timeout)
        // A blocked readFrom wakes on close.
        try pc.setReadDeadline(nil)
        let reader = Task { () -> OpError? in
            var b = [UInt8](repeating: 0, count: 16)
            return await CT.opError("blocked readFrom") { try await pc.readFromUDP(&b) }
        }
        try await Task.sleep(for: .milliseconds(20))
        try pc.close()
        let r = await CT.value(of: reader, within: .seconds(5))
        let e = try #require(r ?? nil, "blocked readFromUDP did not wake on close")
        #expect(e.description == "read udp \(local): use of closed network connection")
        let w = try #require(await CT.opError("write after close") {
            try await pc.writeToUDP([1], UDPAddr(ip: Net.parseIP("127.0.0.1"), port: 9))
        })
        #expect(w.description == "write udp \(local)->127.0.0.1:9: use of closed network connection")
    }
}
