// raw-echo-server: a TCP echo server written directly against the Syscall layer.
//
//     raw-echo-server [--host 127.0.0.1] [--port 8080]
//
// It is the program Go's net package hides: socket, setsockopt, bind, listen, then an accept
// loop that starts one thread per connection. Each thread reads and writes everything back
// until the client closes its side. SIGINT or SIGTERM stops the server cleanly: it closes the
// listening socket and exits 0.
//
// Try it:
//     swift run raw-echo-server --port 0          # prints: listening on 127.0.0.1:PORT
//     printf 'hello\n' | nc -N 127.0.0.1 PORT     # prints: hello
//     kill -INT <pid>                             # exits 0
import ArgumentParser
import Glibc
import Syscall

struct RawEchoServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-echo-server",
        abstract: "Echo every byte back to each TCP client, one thread per connection.")

    @Option(help: "The address to listen on: an IPv4 or IPv6 literal, or localhost.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 lets the kernel choose one.")
    var port = 8080

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard socketAddress(host: host, port: port) != nil else {
            throw ValidationError("--host must be an IP address or localhost, not \(host)")
        }
    }

    func run() {
        // Block SIGINT and SIGTERM first, before any thread exists: threads inherit the mask,
        // so no thread is ever interrupted by these signals. They stay pending until the
        // signal thread below takes them with sigwait(3), where handling them is plain code
        // rather than an async-signal-safe handler.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let address = socketAddress(host: host, port: port)!
        let family = address is SockaddrInet6 ? Syscall.AF_INET6 : Syscall.AF_INET

        // SOCK_CLOEXEC: a program this process might exec must not inherit the listener.
        let listener = must("socket") {
            try Syscall.socket(family, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        }
        // SO_REUSEADDR: after a restart, connections of the old process may linger in
        // TIME_WAIT on this port; without the option, bind fails with "address already in use"
        // for a minute or so. Go sets it on every TCP listener for the same reason.
        must("setsockopt SO_REUSEADDR") {
            try Syscall.setsockoptInt(listener, Syscall.SOL_SOCKET, Syscall.SO_REUSEADDR, 1)
        }
        must("bind \(address)") { try Syscall.bind(listener, address) }
        must("listen \(address)") { try Syscall.listen(listener, 128) }

        // With --port 0 the kernel chose the port: ask it which one, so clients can find us.
        let bound = must("getsockname") { try Syscall.getsockname(listener) }
        printLine("listening on \(bound)")

        // The signal thread: wait for SIGINT or SIGTERM, then shut the listener down.
        // shutdown(2) on a listening socket wakes the thread blocked in accept(2), which then
        // fails with EINVAL; close(2) would not wake it, and closing an fd that another thread
        // is using risks that thread using a reused fd number.
        startThread {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            var received: Int32 = 0
            sigwait(&signals, &received)
            try? Syscall.shutdown(listener, Syscall.SHUT_RDWR)
        }

        // The accept loop. Every call here blocks, which is why each connection gets its own
        // POSIX thread rather than a Swift Task: Swift's cooperative thread pool has only as
        // many threads as there are cores, and a thread blocked in read(2) or accept(2) is a
        // thread no task can use, so a few idle clients would starve every task in the process.
        while true {
            do throws(Errno) {
                // SOCK_CLOEXEC again, atomically, for the same reason as the listener.
                let (conn, peer) = try Syscall.accept4(listener, Syscall.SOCK_CLOEXEC)
                startThread { echo(conn, peer: "\(peer)") }
            } catch .EINVAL {
                break  // the signal thread shut the listener down: time to stop
            } catch let error where [.ECONNABORTED, .EMFILE, .ENFILE, .ENOBUFS, .ENOMEM].contains(error) {
                // The client gave up before we accepted, or we are out of fds or memory
                // for a moment: the listener itself is fine, so report and keep serving,
                // after a short pause so an fd shortage does not become a busy loop.
                printError("raw-echo-server: accept: \(error)")
                usleep(10_000)
            } catch {
                fail("accept: \(error)")
            }
        }

        try? Syscall.close(listener)
        // Returning ends the process; connection threads still running end with it.
    }
}

/// Echoes everything `conn` sends until it closes its side, then closes the connection.
func echo(_ conn: Int32, peer: String) {
    defer { try? Syscall.close(conn) }
    var buffer = [UInt8](repeating: 0, count: 32 * 1024)
    do throws(Errno) {
        while true {
            let n = try Syscall.read(conn, &buffer)
            if n == 0 { return }  // end of stream: the client closed (or half-closed) its side
            try sendAll(conn, Array(buffer[..<n]))
        }
    } catch {
        printError("raw-echo-server: \(peer): \(error)")
    }
}

/// Sends every byte: a stream socket may take fewer bytes than offered.
///
/// `send` with MSG_NOSIGNAL rather than `write`: a write to a client that has gone away would
/// raise SIGPIPE and kill the whole server; with the flag it is just an EPIPE error.
func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
    var sent = 0
    while sent < bytes.count {
        sent += try Syscall.send(fd, Array(bytes[sent...]), Syscall.MSG_NOSIGNAL)
    }
}

/// Parses the --host text into an address: "localhost", an IPv4 literal, or an IPv6 literal
/// with or without brackets. inet_pton(3) only converts text to bytes; it makes no system call.
func socketAddress(host: String, port: Int) -> (any Sockaddr)? {
    if host == "localhost" { return SockaddrInet4(port: port, addr: [127, 0, 0, 1]) }
    var v4 = in_addr()
    if inet_pton(Syscall.AF_INET, host, &v4) == 1 {
        return SockaddrInet4(port: port, addr: withUnsafeBytes(of: v4) { Array($0) })
    }
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    var v6 = in6_addr()
    if inet_pton(Syscall.AF_INET6, bare, &v6) == 1 {
        return SockaddrInet6(port: port, addr: withUnsafeBytes(of: v6) { Array($0) })
    }
    return nil
}

/// Runs `body` on a new, detached POSIX thread.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { arg in
        Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
        return nil
    }, box)
    guard rc == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        fail("pthread_create: \(Errno(rawValue: rc))")
    }
    pthread_detach(thread)
}

/// Runs one step of setup; on error prints "raw-echo-server: WHAT: ERROR" and exits 1.
@discardableResult
func must<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        fail("\(what()): \(error)")
    }
}

/// Prints a Go-style error to stderr and exits 1.
func fail(_ message: String) -> Never {
    printError("raw-echo-server: \(message)")
    exit(1)
}

/// Writes a line to stdout at once. A direct write(2), not print(): print buffers when stdout is
/// a pipe, and whoever waits for "listening on" must see it now.
func printLine(_ line: String) {
    _ = try? Syscall.write(1, Array((line + "\n").utf8))
}

/// Writes a line to stderr.
func printError(_ line: String) {
    _ = try? Syscall.write(2, Array((line + "\n").utf8))
}

RawEchoServer.main()
