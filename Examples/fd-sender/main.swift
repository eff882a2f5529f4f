// fd-sender: passes an open file to another process over a unix socket (SCM_RIGHTS).
//
//     fd-sender SOCKET FILE
//
// It opens FILE, connects to the unix stream socket SOCKET and sends one byte whose ancillary
// data carries the file's descriptor. The receiver gets its own descriptor for the same open
// file (same offset, same access mode), even if it could not have opened FILE itself: this is
// how a privileged process hands out access. Pair it with fd-receiver, or with Go:
// `(*net.UnixConn).ReadMsgUnix` and `syscall.ParseUnixRights` receive exactly this message.
import Glibc
import Syscall

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    printError("usage: fd-sender SOCKET FILE")
    exit(2)
}
let socketPath = arguments[1]
let filePath = arguments[2]

// O_CLOEXEC on everything we open: descriptors must never leak into programs we exec.
let file = must("open \(filePath)") { try Syscall.open(filePath, Syscall.O_RDONLY | Syscall.O_CLOEXEC, 0) }

let sock = must("socket") { try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0) }
must("connect \(socketPath)") { try Syscall.connect(sock, SockaddrUnix(name: socketPath)) }

// One byte of data ([0]) carries the control message: a stream socket delivers ancillary data
// only along with at least one byte of real data. unixRights builds the SCM_RIGHTS message
// byte for byte as Go's syscall.UnixRights does. MSG_NOSIGNAL: if the receiver has gone away
// we get EPIPE rather than a SIGPIPE that would kill us without a word.
must("sendmsg \(socketPath)") {
    try Syscall.sendmsgN(sock, [0], Syscall.unixRights(file), nil, Syscall.MSG_NOSIGNAL)
}

// Closing our copies is safe at once: the descriptor in flight keeps the file open until the
// receiver takes it (or, if it never does, until the kernel discards the message).
try? Syscall.close(file)
try? Syscall.close(sock)
// Falling off the end of main.swift exits 0.

/// Runs one step; on error prints "fd-sender: WHAT: ERROR" (Go's style) and exits 1.
@discardableResult
func must<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        printError("fd-sender: \(what()): \(error)")
        exit(1)
    }
}

/// Writes a line to stderr.
func printError(_ line: String) {
    _ = try? Syscall.write(2, Array((line + "\n").utf8))
}
