// Passing an open file between two sockets with SCM_RIGHTS: what fd-sender and fd-receiver do
// across processes, over a socketpair here. The receiver gets a new descriptor for the same
// open file, even after the sender has closed its own.
import Syscall

let fdPassScenario = DemoScenario(name: "fd pass") { workdir, say in
    let path = workdir + "/note.txt"
    let content = Array("a file handed over a socket\n".utf8)
    let file = try Syscall.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    do {
        defer { try? Syscall.close(file) }
        _ = try Syscall.write(file, content)
    }
    say("wrote \(content.count) bytes to \(path)")

    let (sender, receiver) = try Syscall.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)
    defer {
        try? Syscall.close(sender)
        try? Syscall.close(receiver)
    }
    try setReadTimeout(receiver)

    let reader = try Syscall.open(path, O_RDONLY | O_CLOEXEC, 0)
    let rights = Syscall.unixRights(reader)
    _ = try Syscall.sendmsgN(sender, [0x2a], rights, nil, MSG_NOSIGNAL)
    try Syscall.close(reader)   // the receiver's copy keeps the file open
    say("sent fd \(reader) with one byte; control message \(hex(rights))")

    var data = [UInt8](repeating: 0, count: 1)
    var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
    let r = try Syscall.recvmsg(receiver, &data, &oob, MSG_CMSG_CLOEXEC)
    let messages = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn]))
    let fds = try messages.flatMap { (m) throws(Errno) in try Syscall.parseUnixRights(m) }
    defer { for fd in fds { try? Syscall.close(fd) } }
    guard r.n == 1, let received = fds.first, fds.count == 1 else {
        throw DemoFailure("expected one byte and one fd, got \(r.n) byte(s) and \(fds.count) fd(s)")
    }
    // The number may repeat the sender's: it closed its copy, so the lowest free fd is the same.
    say("received fd \(received), a new descriptor for the same open file (close-on-exec: \(try Syscall.isCloseOnExec(received)))")

    var buffer = [UInt8](repeating: 0, count: 256)
    let n = try Syscall.pread(received, &buffer, 0)
    say("read through the received fd: \(quoted(buffer[..<n]))")
    guard Array(buffer[..<n]) == content else { throw DemoFailure("the file read back differs") }
}

/// Bytes as space-separated hex pairs.
private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}
