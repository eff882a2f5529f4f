// SCM_RIGHTS through Net's UnixConn (RELIABILITY.md F2, F3, F7; DESIGN.md invariant 2), and the
// tutorial's "move a live TCP connection" within one process.
import Net
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct ConnFDPassingTests {
    @Test("writeMsgUnix/readMsgUnix pass an fd: it arrives close-on-exec and is the same file")
    func passOneFD() async throws {
        try await withFilesToPass(1, "f", { _ in "hello through SCM_RIGHTS" }) { sender, receiver, files in
            let file = files[0]
            let w = try await sender.writeMsgUnix(Array("x".utf8), Syscall.unixRights(file), nil)
            #expect(w.n == 1)
            #expect(w.oobn == Syscall.cmsgSpace(4))

            var data = [UInt8](repeating: 0, count: 16)
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4 * 4))
            let r = try await receiver.readMsgUnix(&data, &oob)
            #expect(r.n == 1 && data[0] == UInt8(ascii: "x"))
            #expect(r.flags & Syscall.MSG_CTRUNC == 0)
            let fds = try CT.receivedFDs(oob, r.oobn)
            defer { for fd in fds { try? Syscall.close(fd) } }
            try #require(fds.count == 1)
            #expect(fds[0] != file)
            #expect(try Syscall.isCloseOnExec(fds[0]), "received fd lacks FD_CLOEXEC (Go #42765)")
            let a = try Syscall.fstat(fds[0]), b = try Syscall.fstat(file)
            #expect(a.dev == b.dev && a.ino == b.ino)
            #expect(try CT.contents(fds[0]) == "hello through SCM_RIGHTS")
        }
    }

    @Test("several fds in one message arrive in order")
    func passSeveralFDs() async throws {
        try await withFilesToPass(3, "f", { "file \($0)" }) { sender, receiver, files in
            _ = try await sender.writeMsgUnix(Array("abc".utf8), Syscall.unixRights(files), nil)
            var data = [UInt8](repeating: 0, count: 16)
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4 * 8))
            let r = try await receiver.readMsgUnix(&data, &oob)
            #expect(Array(data[..<r.n]) == Array("abc".utf8))
            let fds = try CT.receivedFDs(oob, r.oobn)
            defer { for fd in fds { try? Syscall.close(fd) } }
            try #require(fds.count == 3)
            for (i, fd) in fds.enumerated() {
                #expect(try CT.contents(fd) == "file \(i)")
                #expect(try Syscall.isCloseOnExec(fd))
            }
        }
    }

    @Test("readMsgUnix(into:oob:) and the in-place parsers: the data, the fds in order, close-on-exec, after a wait")
    func passFDsIntoOwnedMemory() async throws {
        try await withFilesToPass(2, "g", { "owned \($0)" }) { sender, receiver, files in
            // The read parks first: the buffers must survive the suspension.
            async let sent: Void = {
                try await Task.sleep(for: .milliseconds(20))
                _ = try await sender.writeMsgUnix(Array("ab".utf8), Syscall.unixRights(files), nil)
            }()
            let r = try await receiveIntoOwnedMemory(receiver)
            defer { for fd in r.fds { try? Syscall.close(fd) } }
            try await sent
            #expect(r.data == Array("ab".utf8))
            #expect(r.flags & Syscall.MSG_CTRUNC == 0)
            #expect(r.headers == [Cmsghdr(len: UInt64(Syscall.cmsgLen(8)), level: SOL_SOCKET, type: SCM_RIGHTS)])
            try #require(r.fds.count == 2)
            for (i, fd) in r.fds.enumerated() {
                #expect(try CT.contents(fd) == "owned \(i)")
                #expect(try Syscall.isCloseOnExec(fd))
            }
        }
    }

    @Test("readMsgUnix(into:oob:) with the message already queued: the first try receives it, fds close-on-exec")
    func passFDsIntoOwnedMemoryWithoutWaiting() async throws {
        try await withFilesToPass(3, "q", { "queued \($0)" }) { sender, receiver, files in
            _ = try await sender.writeMsgUnix(Array("xyz".utf8), Syscall.unixRights(files), nil)
            let r = try await receiveIntoOwnedMemory(receiver)
            defer { for fd in r.fds { try? Syscall.close(fd) } }
            #expect(r.data == Array("xyz".utf8))
            try #require(r.fds.count == 3)
            for (i, fd) in r.fds.enumerated() {
                #expect(try CT.contents(fd) == "queued \(i)")
                #expect(try Syscall.isCloseOnExec(fd))
            }
        }
    }

    @Test("a control buffer too small: MSG_CTRUNC, close what arrived, nothing leaks (F3)")
    func controlTruncated() async throws {
        try await withFilesToPass(3, "t", { "t\($0)" }) { sender, receiver, files in
            _ = try await sender.writeMsgUnix(Array("m".utf8), Syscall.unixRights(files), nil)
            var data = [UInt8](repeating: 0, count: 16)
            // CMSG_SPACE(4) is 24 bytes: room for two fds after alignment, not three.
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
            let r = try await receiver.readMsgUnix(&data, &oob)
            #expect(r.flags & Syscall.MSG_CTRUNC != 0, "flags \(r.flags) lack MSG_CTRUNC")
            let fds = try CT.receivedFDs(oob, r.oobn)
            #expect(fds.count < 3)
            for (i, fd) in fds.enumerated() {
                #expect(try Syscall.isCloseOnExec(fd))
                #expect(try CT.contents(fd) == "t\(i)")
                try Syscall.close(fd)
            }
            // The suite's leak check proves the kernel closed the two that did not fit.

            // The stream carries on.
            try await sender.write(Array("after".utf8))
            #expect(try await CT.readFull(receiver, 5) == Array("after".utf8))
        }
    }

    @Test("no data with oob on a stream: one dummy byte; writeMsgUnix n 0, readMsgUnix into an empty buffer n 1")
    func dummyByte() async throws {
        try await withFilesToPass(1, "d", { _ in "dummy" }) { sender, receiver, files in
            let file = files[0]
            let w = try await sender.writeMsgUnix([], Syscall.unixRights(file), nil)
            #expect(w.n == 0)
            #expect(w.oobn == Syscall.cmsgSpace(4))
            var empty: [UInt8] = []
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
            let r = try await receiver.readMsgUnix(&empty, &oob)
            #expect(r.n == 1, "Go's Recvmsg counts the dummy byte")
            let fds = try CT.receivedFDs(oob, r.oobn)
            defer { for fd in fds { try? Syscall.close(fd) } }
            try #require(fds.count == 1)
            #expect(try CT.contents(fds[0]) == "dummy")
            // The dummy byte was consumed: the next data is ours.
            try await sender.write(Array("n".utf8))
            #expect(try await CT.readSome(receiver) == Array("n".utf8))
        }
    }

    @Test("SCM_RIGHTS over unixpacket and unixgram: no dummy byte on a datagram socket")
    func passOverPacketSockets() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await CT.withPair(.unixpacket) { p in
            let file = try CT.tempFile(dir, "p.txt", "packet")
            defer { try? Syscall.close(file) }
            _ = try await (p.client as! UnixConn).writeMsgUnix(Array("hdr".utf8), Syscall.unixRights(file), nil)
            var data = [UInt8](repeating: 0, count: 16)
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
            let r = try await (p.server as! UnixConn).readMsgUnix(&data, &oob)
            #expect(Array(data[..<r.n]) == Array("hdr".utf8))
            let fds = try CT.receivedFDs(oob, r.oobn)
            defer { for fd in fds { try? Syscall.close(fd) } }
            #expect(try fds.map { try CT.contents($0) } == ["packet"])
        }
        let server = try await Net.listenPacket("unixgram", dir.path("g.sock")) as! UnixConn
        defer { try? server.close() }
        let client = try await Net.listenPacket("unixgram", dir.path("c.sock")) as! UnixConn
        defer { try? client.close() }
        try await CT.bounded(.seconds(10), "unixgram rights") {
            let file = try CT.tempFile(dir, "g.txt", "gram")
            defer { try? Syscall.close(file) }
            let w = try await client.writeMsgUnix([], Syscall.unixRights(file), UnixAddr(name: dir.path("g.sock"), net: "unixgram"))
            #expect(w.n == 0)
            var data = [UInt8](repeating: 0, count: 16)
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
            let r = try await server.readMsgUnix(&data, &oob)
            #expect(r.n == 0, "a datagram socket sends no dummy byte")
            #expect(r.addr?.name == dir.path("c.sock"))
            let fds = try CT.receivedFDs(oob, r.oobn)
            defer { for fd in fds { try? Syscall.close(fd) } }
            #expect(try fds.map { try CT.contents($0) } == ["gram"])
        }
    }

    @Test("move a live TCP connection: conn.file() over a UnixConn, Net.fileConn on the other side")
    func moveLiveTCPConnection() async throws {
        let tcp = try await CT.pair(.tcp)
        defer { tcp.close() }
        try await CT.withPair(.unix) { u in
            let outside = tcp.client as! TCPConn      // the remote client, stays put
            let handedOff = tcp.server as! TCPConn    // the server side we move
            try await outside.write(Array("before ".utf8))
            #expect(try await CT.readFull(handedOff, 7) == Array("before ".utf8))

            // Old owner: duplicate, send, close both its copies.
            let dup = try handedOff.file()
            _ = try await (u.client as! UnixConn).writeMsgUnix(Array("C".utf8), Syscall.unixRights(dup), nil)
            try Syscall.close(dup)
            try handedOff.close()

            // New owner: receive and adopt.
            var data = [UInt8](repeating: 0, count: 1)
            var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
            let r = try await (u.server as! UnixConn).readMsgUnix(&data, &oob)
            let fds = try CT.receivedFDs(oob, r.oobn)
            try #require(fds.count == 1)
            let adopted: any Conn
            do {
                adopted = try Net.fileConn(fds[0])
            } catch {
                try? Syscall.close(fds[0])
                throw error
            }
            try Syscall.close(fds[0])
            defer { try? adopted.close() }
            let moved = try #require(adopted as? TCPConn, "adopted conn is \(type(of: adopted))")
            #expect(moved.localAddr.map { "\($0)" } == outside.remoteAddr.map { "\($0)" })
            #expect(moved.remoteAddr.map { "\($0)" } == outside.localAddr.map { "\($0)" })

            // The client notices nothing: the conversation continues, both ways, with deadlines.
            try await outside.write(Array("after".utf8))
            try moved.setReadDeadline(.now + .seconds(5))
            #expect(try await CT.readFull(moved, 5) == Array("after".utf8))
            try await moved.write(Array("from the new owner".utf8))
            #expect(try await CT.readFull(outside, 18) == Array("from the new owner".utf8))
            try moved.closeWrite()
            var b = [UInt8](repeating: 0, count: 8)
            #expect(try await outside.read(&b) == 0)
        }
    }
}

/// Runs `body` with a connected unix stream pair (sender and receiver) and `count` open
/// temporary files, the i-th holding `contents(i)`; afterwards closes them all and removes the
/// files.
/// One `readMsgUnix(into:oob:)` into memory allocated for it, parsed with the in-place parsers:
/// the data, the flags, the control message headers and the fds received (the caller closes them).
private func receiveIntoOwnedMemory(_ receiver: UnixConn) async throws -> (data: [UInt8], flags: Int32, headers: [Cmsghdr], fds: [Int32]) {
    let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
    let oob = UnsafeMutableRawBufferPointer.allocate(byteCount: Syscall.cmsgSpace(4 * 8), alignment: 8)
    defer { data.deallocate(); oob.deallocate() }
    let r = try await receiver.readMsgUnix(into: data, oob: oob)
    var fds: [Int32] = []
    var headers: [Cmsghdr] = []
    do {
        try Syscall.forEachSocketControlMessage(UnsafeRawBufferPointer(rebasing: oob[..<r.oobn])) { (header, data) throws(Errno) in
            headers.append(header)
            try Syscall.forEachUnixRight(header, data) { fds.append($0) }
        }
    } catch {
        for fd in fds { try? Syscall.close(fd) }
        throw error
    }
    return (Array(data[..<r.n]), r.flags, headers, fds)
}

private func withFilesToPass(
    _ count: Int, _ prefix: String, _ contents: @escaping @Sendable (Int) -> String,
    _ body: @escaping @Sendable (_ sender: UnixConn, _ receiver: UnixConn, _ files: [Int32]) async throws -> Void
) async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try await CT.withPair(.unix) { p in
        let files = try (0..<count).map { try CT.tempFile(dir, "\(prefix)\($0).txt", contents($0)) }
        defer { for f in files { try? Syscall.close(f) } }
        try await body(p.client as! UnixConn, p.server as! UnixConn, files)
    }
}
