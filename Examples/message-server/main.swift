// message-server PATH: the tutorial's unix socket message server. Each connection carries one
// message: the server reads until the sender closes its side, prints the message, and answers
// "received N bytes". On SIGINT or SIGTERM it closes the listener, which removes the socket
// file, and exits 0.
//
//   swift run message-server /tmp/msg.sock   then: swift run message-sender /tmp/msg.sock hello
import ArgumentParser
import Glibc
import Net
import UnixSignals

@main
struct MessageServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print each message sent to a unix socket, and acknowledge it.")

    @Argument(help: "The socket path (or @abstract name) to listen on.")
    var path: String

    func run() async throws {
        let ln: any Listener
        do {
            ln = try await Net.listen("unix", path)
        } catch {
            writeLine(2, "message-server: \(error)")
            throw ExitCode.failure
        }
        writeLine(1, "listening on \(ln.addr)")
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        Task {
            for await _ in signals {
                try? ln.close()
                Glibc.exit(0)
            }
        }
        try await ln.serve { conn in
            let message = try await conn.readAll()   // the sender's close-write ends the message
            writeLine(1, "message: \(String(decoding: message, as: UTF8.self))")
            try await conn.write("received \(message.count) bytes\n")
        }
    }
}

/// Writes a line straight to fd 1 or 2, unbuffered, so whoever waits for it sees it at once.
func writeLine(_ fd: Int32, _ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
