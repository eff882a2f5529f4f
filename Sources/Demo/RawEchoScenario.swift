// The raw echo round trip: the tutorial's echo server and client, written against Syscall,
// played by one thread. That works because the kernel completes a TCP handshake on its own and
// queues the connection in the listen backlog until accept(2) picks it up.
import Syscall

let rawEchoScenario = DemoScenario(name: "raw echo") { _, say in
    let listener = try Syscall.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
    defer { try? Syscall.close(listener) }
    try Syscall.setsockoptInt(listener, SOL_SOCKET, SO_REUSEADDR, 1)
    try Syscall.bind(listener, SockaddrInet4(port: 0, addr: [127, 0, 0, 1]))
    try Syscall.listen(listener, 16)
    let serverAddress = try Syscall.getsockname(listener)
    say("listening on \(serverAddress)")

    let client = try Syscall.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
    defer { try? Syscall.close(client) }
    try setReadTimeout(client)
    try Syscall.connect(client, serverAddress)

    let message = Array("hello, swiftnet\n".utf8)
    try sendAll(client, message)
    try Syscall.shutdown(client, SHUT_WR)   // end of stream: the server's echo loop ends after it

    let echoed = try serveOneEchoConnection(listener, say)
    say("server echoed \(echoed) bytes, saw end of stream and closed")

    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while case let n = try Syscall.read(client, &buffer), n > 0 { reply += buffer[..<n] }
    say("client sent \(quoted(message)), got back \(quoted(reply))")
    guard reply == message else { throw DemoFailure("the echo differs from what was sent") }
}

/// The server's side, as raw-echo-server does it: accept, echo everything until end of
/// stream, close. Returns the number of bytes echoed.
private func serveOneEchoConnection(_ listener: Int32, _ say: (String) -> Void) throws(Errno) -> Int {
    let (conn, peer) = try Syscall.accept4(listener, SOCK_CLOEXEC)
    defer { try? Syscall.close(conn) }
    try setReadTimeout(conn)
    say("accepted a connection from \(peer)")
    var buffer = [UInt8](repeating: 0, count: 4096)
    var echoed = 0
    while case let n = try Syscall.read(conn, &buffer), n > 0 {
        try sendAll(conn, Array(buffer[..<n]))
        echoed += n
    }
    return echoed
}

/// A safety net for a one-thread demo: if the other side never answers, a read gives up with
/// EAGAIN after five seconds instead of hanging.
func setReadTimeout(_ fd: Int32) throws(Errno) {
    try Syscall.setsockoptTimeval(fd, SOL_SOCKET, SO_RCVTIMEO, Timeval(sec: 5, usec: 0))
}

/// Writes all of `bytes`, looping on short writes; MSG_NOSIGNAL turns a closed peer into EPIPE.
func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
    var sent = 0
    while sent < bytes.count {
        sent += try Syscall.send(fd, Array(bytes[sent...]), MSG_NOSIGNAL)
    }
}
