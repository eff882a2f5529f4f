// Moving bytes: read/write, send/recv and readv/writev in their array and buffer-pointer forms.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct IOTests {
    @Test func pointerFormsOfReadAndWrite() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        let out = bytes("zero-copy")
        let written = try out.withUnsafeBytes { try Syscall.write(a, from: $0) }
        #expect(written == 9)
        var into = [UInt8](repeating: 0, count: 32)
        let n = try into.withUnsafeMutableBytes { try Syscall.read(b, into: $0) }
        #expect(n == 9)
        #expect(Array(into[..<n]) == out)
    }

    @Test func readReturnsWhatIsThereNotTheBufferSize() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        _ = try Syscall.write(a, bytes("abc"))
        var buf = [UInt8](repeating: 0xee, count: 10)
        #expect(try Syscall.read(b, &buf) == 3)
        #expect(buf == bytes("abc") + [UInt8](repeating: 0xee, count: 7), "bytes past n untouched")
    }

    @Test func zeroLengthReadReturnsZeroAtOnce() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        var empty: [UInt8] = []
        #expect(try Syscall.read(b, &empty) == 0)
        #expect(try Syscall.write(a, []) == 0)
    }

    @Test func readAfterPeerCloseIsEndOfStream() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(b) }
        _ = try Syscall.write(a, bytes("bye"))
        try Syscall.close(a)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(try Syscall.read(b, &buf) == 3, "the bytes come before end of stream")
        #expect(try Syscall.read(b, &buf) == 0)
    }

    @Test func writevArraysSendsThePiecesInOrder() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        let n = try Syscall.writev(a, [bytes("len=5\n"), [], bytes("hello")])
        #expect(n == 11)
        var buf = [UInt8](repeating: 0, count: 32)
        #expect(try Syscall.read(b, &buf) == 11)
        #expect(Array(buf[..<11]) == bytes("len=5\nhello"))
    }

    @Test func writevOfNothingWritesNothing() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        #expect(try Syscall.writev(a, [] as [[UInt8]]) == 0)
        #expect(try Syscall.writev(a, [] as [UnsafeRawBufferPointer]) == 0)
        var buf = [UInt8](repeating: 0, count: 4)
        #expect(throws: Errno.EAGAIN) { try Syscall.recv(b, &buf, MSG_DONTWAIT) }
    }

    @Test func writevPointersSendsThePiecesInOrder() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        let head = bytes("HEAD")
        let body = bytes("body-bytes")
        let n = try head.withUnsafeBytes { h in
            try body.withUnsafeBytes { bd in try Syscall.writev(a, [h, bd]) }
        }
        #expect(n == 14)
        var buf = [UInt8](repeating: 0, count: 32)
        #expect(try Syscall.read(b, &buf) == 14)
        #expect(Array(buf[..<14]) == head + body)
    }

    @Test func readvArraysFillsThePartsInOrder() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        _ = try Syscall.write(a, bytes("0123456789ab"))
        var parts: [[UInt8]] = [[UInt8](repeating: 0, count: 4), [UInt8](repeating: 0, count: 8)]
        #expect(try Syscall.readv(b, &parts) == 12)
        #expect(parts[0] == bytes("0123"))
        #expect(parts[1] == bytes("456789ab"))
    }

    @Test func readvArraysWithFewerBytesLeavesTheRestUntouched() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        _ = try Syscall.write(a, bytes("abcdef"))
        var parts: [[UInt8]] = [
            [UInt8](repeating: 0xee, count: 4), [UInt8](repeating: 0xee, count: 4), [UInt8](repeating: 0xee, count: 4),
        ]
        #expect(try Syscall.readv(b, &parts) == 6)
        #expect(parts[0] == bytes("abcd"))
        #expect(parts[1] == bytes("ef") + [0xee, 0xee])
        #expect(parts[2] == [0xee, 0xee, 0xee, 0xee])
    }

    @Test func readvPointersFillsThePartsInOrder() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        _ = try Syscall.write(a, bytes("HEADbody"))
        var head = [UInt8](repeating: 0, count: 4)
        var body = [UInt8](repeating: 0, count: 16)
        let n = try head.withUnsafeMutableBytes { h in
            try body.withUnsafeMutableBytes { bd in try Syscall.readv(b, [h, bd]) }
        }
        #expect(n == 8)
        #expect(head == bytes("HEAD"))
        #expect(Array(body[..<4]) == bytes("body"))
    }

    @Test func readvAtEndOfStreamReturnsZero() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        try Syscall.shutdown(a, SHUT_WR)
        var parts: [[UInt8]] = [[7, 7]]
        #expect(try Syscall.readv(b, &parts) == 0)
        #expect(parts == [[7, 7]])
    }

    @Test func sendAndRecvWithFlags() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(throws: Errno.EAGAIN) { try Syscall.recv(b, &buf, MSG_DONTWAIT) }
        #expect(try Syscall.send(a, bytes("peek"), MSG_NOSIGNAL) == 4)
        #expect(try Syscall.recv(b, &buf, MSG_PEEK) == 4)
        #expect(Array(buf[..<4]) == bytes("peek"))
        buf = [UInt8](repeating: 0, count: 8)
        #expect(try Syscall.recv(b, &buf, 0) == 4, "peeked bytes are still there")
        #expect(Array(buf[..<4]) == bytes("peek"))
        #expect(throws: Errno.EAGAIN) { try Syscall.recv(b, &buf, MSG_DONTWAIT) }
    }

    @Test func recvWithMSG_WAITALLWaitsForEveryByte() throws {
        let (a, b) = try unixPair(SOCK_STREAM)
        defer { closeAll(a, b) }
        _ = try Syscall.send(a, bytes("ab"), 0)
        let reader = Spawned { () -> Result<[UInt8], Errno> in
            Result { () throws(Errno) in
                var buf = [UInt8](repeating: 0, count: 4)
                let n = try Syscall.recv(b, &buf, MSG_WAITALL)
                return Array(buf[..<n])
            }
        }
        #expect(waitUntil { threadBlocked(on: b) })
        _ = try Syscall.send(a, bytes("cd"), 0)
        #expect(try reader.join().get() == bytes("abcd"))
    }

    @Test func pointerFormsOfSendAndRecv() throws {
        let (a, b) = try unixPair(SOCK_DGRAM)
        defer { closeAll(a, b) }
        let n = try bytes("dgram").withUnsafeBytes { try Syscall.send(a, from: $0, 0) }
        #expect(n == 5)
        var buf = [UInt8](repeating: 0, count: 3)
        let got = try buf.withUnsafeMutableBytes { try Syscall.recv(b, into: $0, MSG_TRUNC) }
        #expect(got == 5)
        #expect(buf == bytes("dgr"))
    }

    @Test func tcpLargeTransferArrivesIntact() throws {
        let c = try loopbackTCP(AF_INET)
        defer { c.close() }
        // Smaller than the socket buffers, so one thread can write it all before reading.
        let payload = (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var sent = 0
        while sent < payload.count {
            sent += try payload[sent...].withUnsafeBytes { try Syscall.send(c.client, from: $0, MSG_NOSIGNAL) }
        }
        try Syscall.shutdown(c.client, SHUT_WR)
        var received: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = try Syscall.read(c.server, &buf)
            if n == 0 { break }
            received += buf[..<n]
        }
        #expect(received == payload)
    }
}
