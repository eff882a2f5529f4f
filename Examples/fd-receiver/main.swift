// fd-receiver: receives an open file from another process over a unix socket (SCM_RIGHTS)
// and copies the file's content to stdout.
//
//     fd-receiver SOCKET > copy
//
// It listens on the unix stream socket SOCKET, says "listening on SOCKET" on stderr (stdout
// carries only the file's bytes), accepts one connection and receives one message whose
// ancillary data holds a descriptor. It reads the file through that descriptor, writes it to
// stdout, removes the socket file it created and exits. Pair it with fd-sender, or with Go:
// `(*net.UnixConn).WriteMsgUnix(b, syscall.UnixRights(fd), nil)` sends exactly this message.
import Glibc
import Syscall

/// The most descriptors one message may bring. The sender should send one; the control buffer
/// has room for more so that extras arrive (and are closed by us) rather than being cut off.
let maxDescriptors = 8

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    printError("usage: fd-receiver SOCKET")
    exit(2)
}
let socketPath = arguments[1]

removeStaleSocket(socketPath)

let listener = must("socket") { try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0) }
must("bind \(socketPath)") { try Syscall.bind(listener, SockaddrUnix(name: socketPath)) }
// bind(2) created the socket file. Remember which file it is (device and inode), so that at
// the end we remove that file and never one somebody else has put at the same path since.
let created = try? Syscall.lstat(socketPath)

do throws(Failure) {
    try receiveFile(listener)
} catch {
    removeSocketFile()
    printError("fd-receiver: \(error.message)")
    exit(1)
}
removeSocketFile()
// Falling off the end of main.swift exits 0.

/// An error message, with the step that failed.
struct Failure: Error {
    let message: String
}

/// Listens, accepts one connection, receives a descriptor and copies its file to stdout.
func receiveFile(_ listener: Int32) throws(Failure) {
    try step("listen \(socketPath)") { try Syscall.listen(listener, 1) }
    printError("listening on \(socketPath)")

    // SOCK_CLOEXEC: the accepted socket, like every fd here, must not leak into an exec.
    let (conn, _) = try step("accept") { try Syscall.accept4(listener, Syscall.SOCK_CLOEXEC) }
    defer { try? Syscall.close(conn) }
    try? Syscall.close(listener)  // one connection is all we serve

    let file = try receiveDescriptor(conn)
    defer { try? Syscall.close(file) }
    try copyToStdout(file)
}

/// Receives one message on `conn` and returns the single descriptor it carried.
func receiveDescriptor(_ conn: Int32) throws(Failure) -> Int32 {
    var data = [UInt8](repeating: 0, count: 1)
    var control = [UInt8](repeating: 0, count: Syscall.cmsgSpace(maxDescriptors * 4))
    // MSG_CMSG_CLOEXEC: received descriptors are close-on-exec from the moment they exist.
    // Setting it afterwards with fcntl would leave a window for a concurrent fork+exec.
    let r = try step("recvmsg") { try Syscall.recvmsg(conn, &data, &control, Syscall.MSG_CMSG_CLOEXEC) }

    // Collect every descriptor the kernel installed: each one is ours to close, even those we
    // do not want. Parsing checks every length against the buffer and never trusts the sender;
    // if it fails we cannot tell which fds arrived, and exiting is what closes them.
    let messages = try step("parse control message") {
        try Syscall.parseSocketControlMessage(Array(control[..<r.oobn]))
    }
    var fds: [Int32] = []
    for m in messages where m.header.level == Syscall.SOL_SOCKET && m.header.type == Syscall.SCM_RIGHTS {
        fds += try step("parse SCM_RIGHTS") { try Syscall.parseUnixRights(m) }
    }
    if r.recvflags & Syscall.MSG_CTRUNC != 0 {
        // The sender sent more than our buffer holds: the kernel closed the descriptors that did
        // not fit. Those that did fit are in `fds`; we still use the first.
        printError("fd-receiver: control data truncated; descriptors that did not fit were dropped")
    }
    if fds.count > 1 {
        printError("fd-receiver: received \(fds.count) descriptors; closing all but the first")
        for extra in fds.dropFirst() { try? Syscall.close(extra) }
    }
    guard let file = fds.first else {
        if r.n == 0 { throw Failure(message: "connection closed before a descriptor arrived") }
        throw Failure(message: "no file descriptor received")
    }
    return file
}

/// Copies the whole file behind `fd` to stdout.
func copyToStdout(_ fd: Int32) throws(Failure) {
    // pread from offset 0 rather than read: the descriptor shares its file offset with the
    // sender's, which may have read part of the file already; pread starts where we say and
    // leaves the shared offset alone.
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    var offset: Int64 = 0
    while true {
        let n = try step("pread") { try Syscall.pread(fd, &buffer, offset) }
        if n == 0 { return }  // end of file
        // A pipe may take fewer bytes than offered: write until all are out. A plain write(2):
        // if our reader goes away, SIGPIPE ends us, as it ends Go programs writing to fd 1.
        var written = 0
        while written < n {
            written += try step("write stdout") { try Syscall.write(1, Array(buffer[written..<n])) }
        }
        offset += Int64(n)
    }
}

/// Removes a socket file left behind by a process that is gone, and nothing else.
///
/// A unix socket's file outlives the socket, so after a crash the path is taken and bind fails
/// with "address already in use". The file is stale only if it is a socket AND connecting to
/// it is refused (nobody accepts on it). A live socket, or anything that is not a socket (say a
/// regular file given by mistake), is an error and is left exactly as it is.
func removeStaleSocket(_ path: String) {
    let status: Stat
    do throws(Errno) {
        status = try Syscall.lstat(path)  // lstat: judge a symbolic link itself, not its target
    } catch .ENOENT {
        return  // nothing there: the usual case
    } catch {
        fail("lstat \(path): \(error)")
    }
    guard status.isSocket else { fail("\(path) exists and is not a socket; not removing it") }

    // SOCK_NONBLOCK: connecting to a live listener whose queue is full would otherwise wait.
    let probe = must("socket") {
        try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC | Syscall.SOCK_NONBLOCK, 0)
    }
    defer { try? Syscall.close(probe) }
    do throws(Errno) {
        try Syscall.connect(probe, SockaddrUnix(name: path))
        fail("listen \(path): address already in use")  // somebody accepts connections there
    } catch .ECONNREFUSED {
        must("remove stale socket \(path)") { try Syscall.unlink(path) }
        printError("fd-receiver: removed stale socket \(path)")
    } catch .EAGAIN {
        fail("listen \(path): address already in use")  // a listener with a full queue
    } catch {
        fail("\(path): cannot tell whether it is in use (connect: \(error)); not removing it")
    }
}

/// Removes the socket file, if the path still holds the one our bind created.
func removeSocketFile() {
    guard let created, let now = try? Syscall.lstat(socketPath),
          now.dev == created.dev, now.ino == created.ino else { return }
    try? Syscall.unlink(socketPath)
}

/// Runs one step after bind; an error becomes a `Failure` naming the step, as Go's errors do.
func step<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) throws(Failure) -> T {
    do {
        return try body()
    } catch {
        throw Failure(message: "\(what()): \(error)")
    }
}

/// Runs one step before bind; on error prints "fd-receiver: WHAT: ERROR" and exits 1.
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
    printError("fd-receiver: \(message)")
    exit(1)
}

/// Writes a line to stderr.
func printError(_ line: String) {
    _ = try? Syscall.write(2, Array((line + "\n").utf8))
}
