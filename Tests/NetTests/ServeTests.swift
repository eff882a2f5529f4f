// Listener.serve keeps serving through temporary accept errors, as Go's http.Server does.
import Glibc
import Net
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
}
