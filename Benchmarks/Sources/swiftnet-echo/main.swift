// SwiftNet's benchmark server, written the way a SwiftNet user should write a fast one:
// `Net.listen`, `serve` (a task per connection on the poller that owns its fd, the accept loop
// on the listener's poller), one buffer per connection (512 bytes, then 64 KiB once a read
// fills it), and the buffer-pointer read and write of `SocketConn`, so no message allocates.
//
//   swiftnet-echo --network tcp|unix --address ADDR [--mode echo|fdrecv] [--read-timeout SECONDS]
//
// Prints "listening on ADDR" once ready; on SIGINT or SIGTERM closes the listener (which removes
// a unix socket file) and exits 0.
import BenchSupport
import Net
import Syscall

blockTerminationSignals()   // before any thread starts: the sigwait thread takes them
let options = ServerOptions.parseOrExit()
raiseOpenFileLimit()
runDetached { await serve(options) }

func serve(_ options: ServerOptions) async {
    let ln: any Listener
    do {
        ln = try await Net.listen(options.network.rawValue, options.address)
    } catch {
        fail("\(error)")
    }
    onTermination { try? ln.close() }   // a unix listener removes its socket file
    announce("listening on \(ln.addr)")

    let readTimeout = options.readTimeoutNanoseconds.map { Duration.nanoseconds($0) }
    let handler: @Sendable (any Conn) async throws -> Void = switch options.mode {
    case .echo: { conn in try await echo(conn, readTimeout: readTimeout) }
    case .fdrecv: fdrecv
    }
    // Run the accept loop on the listener's poller too, so an accept resumes with no thread hop.
    let executor = (ln as? TCPListener)?.executor ?? (ln as? UnixListener)?.executor
    do {
        try await withTaskExecutorPreference(executor) {
            try await ln.serve(handler)
        }
    } catch {
        fail("\(error)")
    }
}

/// Writes back every byte, in order, until the client closes. With a `readTimeout`, moves the
/// read deadline to now + `readTimeout` before every read (Go's idle timeout): a client silent
/// that long gets its connection closed (the read throws).
///
/// The buffer starts at 512 bytes and becomes 64 KiB, once, the first time a read fills it.
/// An idle connection then holds no 64 KiB buffer: glibc's malloc writes a header into every
/// block it hands out, so each 64 KiB buffer costs a resident page at once (about 3 KiB more
/// per idle connection than Go, whose fresh 64 KiB slices stay untouched until read into).
@Sendable func echo(_ conn: any Conn, readTimeout: Duration?) async throws {
    let conn = conn as! SocketConn   // the buffer-pointer write is SocketConn's, not Conn's
    var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        if let readTimeout { try conn.setReadDeadline(.now + readTimeout) }
        let n = try await conn.read(into: buffer)
        if n == 0 { return }
        try await conn.write(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        if n == buffer.count && n < 64 << 10 {
            buffer.deallocate()
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        }
    }
}

/// Each message is one byte with 1 to 8 fds: close them all, acknowledge with one byte. The
/// buffer-pointer read and the in-place parsers allocate nothing per message.
@Sendable func fdrecv(_ conn: any Conn) async throws {
    let conn = conn as! UnixConn
    let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
    let oob = UnsafeMutableRawBufferPointer.allocate(byteCount: Syscall.cmsgSpace(8 * MemoryLayout<Int32>.size), alignment: 8)
    let ack = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
    defer { data.deallocate(); oob.deallocate(); ack.deallocate() }
    ack[0] = 1
    while true {
        let r = try await conn.readMsgUnix(into: data, oob: oob)
        if r.n == 0 && r.oobn == 0 { return }
        try Syscall.forEachSocketControlMessage(UnsafeRawBufferPointer(rebasing: oob[..<r.oobn])) { (header, data) throws(Errno) in
            try Syscall.forEachUnixRight(header, data) { fd in try? Syscall.close(fd) }
        }
        try await conn.write(UnsafeRawBufferPointer(ack))
    }
}
