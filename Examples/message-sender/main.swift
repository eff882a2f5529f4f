// message-sender PATH MESSAGE: sends one message to message-server and prints its
// acknowledgement. Closing the write side marks the end of the message; the connection stays
// open for the answer.
import ArgumentParser
import Glibc
import Net

@main
struct MessageSender: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send one message over a unix socket and print the acknowledgement.")

    @Argument(help: "The server's socket path (or @abstract name).")
    var path: String

    @Argument(help: "The message.")
    var message: String

    func run() async throws {
        do {
            let conn = try await Net.dial("unix", path) as! UnixConn
            defer { try? conn.close() }
            try await conn.write(message)
            try conn.closeWrite()
            let ack = try await conn.readAll()
            print(String(decoding: ack, as: UTF8.self), terminator: "")
        } catch {
            writeLine(2, "message-sender: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Writes a line straight to fd 1 or 2, unbuffered, so whoever waits for it sees it at once.
func writeLine(_ fd: Int32, _ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
