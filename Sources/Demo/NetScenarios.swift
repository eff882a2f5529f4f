// The Net scenarios: Go's net package idioms in Swift, each checked as it runs.
import Net
import Syscall

/// Net.listen and Net.dial on a unix socket, a task per connection, half-close to end a message.
let netEchoScenario = DemoScenario(name: "net echo") { workdir, say in
    let path = workdir + "/echo.sock"
    let ln = try await Net.listen("unix", path)
    say("listening on \(ln.addr)")
    let server = Task {
        try await ln.serve { conn in
            while case let chunk = try await conn.read(upTo: 4096), !chunk.isEmpty {
                try await conn.write(chunk)
            }
        }
    }
    defer { server.cancel() }
    let conn = try await Net.dial("unix", path) as! UnixConn
    defer { try? conn.close() }
    try await conn.write("hello over Net\n")
    try conn.closeWrite()
    let reply = try await conn.readAll()
    say("dialed \(conn.remoteAddr!), sent and got back \(quoted(reply))")
    try ln.close()   // also removes the socket file
    _ = try? await server.value
    guard reply == Array("hello over Net\n".utf8) else { throw DemoFailure("the echo differs") }
    guard (try? Syscall.lstat(path)) == nil else { throw DemoFailure("the socket file is still there") }
    say("closed the listener; \(path) is gone")
}

/// Errors read exactly as Go prints them.
let netErrorsScenario = DemoScenario(name: "net errors") { _, say in
    let expected = [
        ("unix", "/no/such.sock", "dial unix /no/such.sock: connect: no such file or directory"),
        ("foo", "bar", "dial foo: unknown network foo"),
        ("tcp", "127.0.0.1", "dial tcp: address 127.0.0.1: missing port in address"),
    ]
    for (network, address, text) in expected {
        do {
            let conn = try await Net.dial(network, address)
            try? conn.close()
            throw DemoFailure("dial \(network) \(address) worked")
        } catch let error as OpError {
            say(error.description)
            guard error.description == text else { throw DemoFailure("expected \(text)") }
        }
    }
}

/// A read deadline: the read gives up with Go's "i/o timeout", and the conn is usable after.
let deadlineScenario = DemoScenario(name: "deadline") { workdir, say in
    let ln = try await Net.listen("unix", workdir + "/deadline.sock")
    defer { try? ln.close() }
    let client = try await Net.dial("unix", workdir + "/deadline.sock")
    defer { try? client.close() }
    let server = try await ln.accept()
    defer { try? server.close() }
    try client.setReadDeadline(.now + .milliseconds(50))
    do {
        _ = try await client.read(upTo: 16)
        throw DemoFailure("the read returned before anything was sent")
    } catch let error as OpError where error.timeout {
        say(error.description)
    }
    try client.setReadDeadline(nil)
    try await server.write("late\n")
    let late = try await client.read(upTo: 16)
    say("after clearing the deadline the read got \(quoted(late))")
}

/// The tutorial's smooth restart: a live TCP connection's fd goes over a unix socket with
/// SCM_RIGHTS to its new owner, which adopts it with Net.fileConn and carries on the
/// conversation; the client never notices. Here both owners are tasks of one process.
let handOffScenario = DemoScenario(name: "hand-off") { workdir, say in
    let tcp = try await Net.listen("tcp", "127.0.0.1:0")
    defer { try? tcp.close() }
    let client = try await Net.dial("tcp", "\(tcp.addr)")
    defer { try? client.close() }
    let oldOwner = try await tcp.accept() as! TCPConn
    say("old owner accepted \(oldOwner.remoteAddr!)")

    let control = try await Net.listen("unix", workdir + "/handoff.sock")
    defer { try? control.close() }
    let toNewOwner = try await Net.dial("unix", workdir + "/handoff.sock") as! UnixConn
    defer { try? toNewOwner.close() }
    let newOwnerSide = try await control.accept() as! UnixConn
    defer { try? newOwnerSide.close() }

    let fd = try oldOwner.file()
    try await toNewOwner.writeMsgUnix([1], Syscall.unixRights(fd), nil)
    try Syscall.close(fd)
    try oldOwner.close()   // the old owner lets go; the connection lives on in the new one
    say("old owner sent the connection's fd with SCM_RIGHTS and closed its own")

    var byte = [UInt8](repeating: 0, count: 1)
    var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
    let r = try await newOwnerSide.readMsgUnix(&byte, &oob)
    let fds = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn])).flatMap { (m) throws(Errno) in
        try Syscall.parseUnixRights(m)
    }
    guard let received = fds.first else { throw DemoFailure("no fd arrived") }
    let adopted = try Net.fileConn(received)
    try Syscall.close(received)
    defer { try? adopted.close() }
    say("new owner adopted it: \(adopted.localAddr!) <-> \(adopted.remoteAddr!)")

    try await client.write("still there?\n")
    let question = try await adopted.read(upTo: 64)
    try await adopted.write("served by the new owner\n")
    let answer = try await client.read(upTo: 64)
    say("the new owner read \(quoted(question)); the client got \(quoted(answer))")
    guard answer == Array("served by the new owner\n".utf8) else { throw DemoFailure("wrong answer") }
}
