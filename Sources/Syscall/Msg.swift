// sendmsg(2)/recvmsg(2): data plus ancillary data (control messages such as SCM_RIGHTS).
// Go's syscall.Sendmsg, SendmsgN and Recvmsg, including Go's dummy byte (see below).

/// Sends data and control messages: Go's `syscall.SendmsgN`. Returns the data bytes sent.
///
/// `oob` holds control messages built by ``unixRights(_:)`` or ``unixCredentials(_:)``; `to`
/// is nil on a connected socket. As in Go, sending control data with no data on a socket that
/// is not `SOCK_DGRAM` sends one zero byte instead, because a stream socket cannot carry
/// ancillary data alone; the result is then 0. Pass `MSG_NOSIGNAL` in `flags` to get `EPIPE`
/// rather than SIGPIPE from a closed peer.
///
/// ```swift
/// let file = try Syscall.open("/etc/hostname", O_RDONLY | O_CLOEXEC, 0)
/// _ = try Syscall.sendmsgN(sock, [0x2a], Syscall.unixRights(file), nil, MSG_NOSIGNAL)
/// ```
///
/// The corresponding C function is `sendmsg(2)`.
public func sendmsgN(_ fd: Int32, _ p: [UInt8], _ oob: [UInt8], _ to: (any Sockaddr)?, _ flags: Int32) throws(Errno) -> Int {
    try p.withBytes { (data) throws(Errno) in
        try oob.withBytes { (control) throws(Errno) in
            try sendmsgN(fd, from: data, oob: control, to, flags)
        }
    }
}

/// Sends from raw memory: the zero-copy form of ``sendmsgN(_:_:_:_:_:)``.
///
/// The corresponding C function is `sendmsg(2)`.
public func sendmsgN(
    _ fd: Int32, from data: UnsafeRawBufferPointer, oob: UnsafeRawBufferPointer, _ to: (any Sockaddr)?, _ flags: Int32
) throws(Errno) -> Int {
    let name = try to?.raw()
    var dummy: UInt8 = 0
    let useDummy = try needsDummyByte(fd, data.count, oob.count)
    let n = try withUnsafeMutableBytes(of: &dummy) { (dummyBuffer) throws(Errno) -> Int in
        let payload = useDummy ? UnsafeRawBufferPointer(dummyBuffer) : data
        let send = { (addr: UnsafeRawPointer?, len: UInt32) throws(Errno) -> Int in
            try system_sendmsg(fd, payload.baseAddress, payload.count, oob.baseAddress, oob.count, addr, len, flags)
        }
        if let name {
            return try name.withUnsafeBytes { (addr, len) throws(Errno) in try send(addr, len) }
        }
        return try send(nil, 0)
    }
    return useDummy ? 0 : n
}

/// Sends data and control messages: Go's `syscall.Sendmsg`, which is ``sendmsgN(_:_:_:_:_:)``
/// without the count.
///
/// The corresponding C function is `sendmsg(2)`.
public func sendmsg(_ fd: Int32, _ p: [UInt8], _ oob: [UInt8], _ to: (any Sockaddr)?, _ flags: Int32) throws(Errno) {
    _ = try sendmsgN(fd, p, oob, to, flags)
}

/// What one `recvmsg(2)` returned.
public struct RecvmsgResult: Sendable {
    /// Data bytes received (0 at end of stream).
    public var n: Int
    /// Control bytes written into `oob`; parse them with ``parseSocketControlMessage(_:)``.
    public var oobn: Int
    /// `msg_flags`: `MSG_TRUNC` if the datagram did not fit, `MSG_CTRUNC` if control data was cut.
    public var recvflags: Int32
    /// The sender, or nil when the kernel gave none (a connected stream socket) or gave one of
    /// a family Syscall has no `Sockaddr` for (AF_NETLINK...): the data is never lost to that.
    public var from: (any Sockaddr)?
}

/// Receives data and control messages: Go's `syscall.Recvmsg`.
///
/// Pass `MSG_CMSG_CLOEXEC` in `flags` so received descriptors are close-on-exec from the
/// start. As in Go, reading control data into an empty `p` on a socket that is not
/// `SOCK_DGRAM` reads one byte into a dummy, pairing with ``sendmsgN(_:_:_:_:_:)``, and `n`
/// then counts that byte (1), as Go's `Recvmsg` does.
/// If `recvflags` has `MSG_CTRUNC`, descriptors that did not fit were closed by the kernel,
/// and any that did fit are in `oob`: close them if you do not use them.
///
/// ```swift
/// var data = [UInt8](repeating: 0, count: 1)
/// var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4))
/// let r = try Syscall.recvmsg(sock, &data, &oob, MSG_CMSG_CLOEXEC)
/// let messages = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn]))
/// let fds = try Syscall.parseUnixRights(messages[0])
/// ```
///
/// The corresponding C function is `recvmsg(2)`.
public func recvmsg(_ fd: Int32, _ p: inout [UInt8], _ oob: inout [UInt8], _ flags: Int32) throws(Errno) -> RecvmsgResult {
    try p.withMutableBytes { (data) throws(Errno) in
        try oob.withMutableBytes { (control) throws(Errno) in
            try recvmsg(fd, into: data, oob: control, flags)
        }
    }
}

/// Receives into raw memory: the zero-copy form of ``recvmsg(_:_:_:_:)``.
///
/// The corresponding C function is `recvmsg(2)`.
public func recvmsg(
    _ fd: Int32, into data: UnsafeMutableRawBufferPointer, oob: UnsafeMutableRawBufferPointer, _ flags: Int32
) throws(Errno) -> RecvmsgResult {
    var dummy: UInt8 = 0
    let useDummy = try needsDummyByte(fd, data.count, oob.count)
    var raw = RawSockaddrAny()
    let r = try withUnsafeMutableBytes(of: &dummy) { (dummyBuffer) throws(Errno) in
        let payload = useDummy ? dummyBuffer : data
        return try raw.withUnsafeMutableBytes { (addr, len) throws(Errno) in
            let r = try system_recvmsg(fd, payload.baseAddress, payload.count, oob.baseAddress, oob.count, addr, len.pointee, flags)
            len.pointee = r.nameLen
            return r
        }
    }
    let from = senderAddress(raw)
    return RecvmsgResult(n: r.n, oobn: r.controlLen, recvflags: r.msgFlags, from: from)
}

/// Receives into raw memory with no control buffer and no sender address, returning the count
/// and the message flags. On a Unix socket, `MSG_CTRUNC` in the flags says the kernel discarded
/// control data (passed fds, which it closes, or credentials); read(2) drops them the same way
/// but cannot say so. On a datagram socket, `MSG_TRUNC` says the datagram was cut short.
///
/// ```swift
/// let (n, recvflags) = try Syscall.recvmsg(sock, into: buffer, 0)
/// if recvflags & MSG_CTRUNC != 0 { print("the peer sent fds; they were closed") }
/// ```
///
/// The corresponding C function is `recvmsg(2)`.
public func recvmsg(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, _ flags: Int32) throws(Errno) -> (n: Int, recvflags: Int32) {
    let r = try system_recvmsg(fd, buffer.baseAddress, buffer.count, nil, 0, nil, 0, flags)
    return (r.n, r.msgFlags)
}

/// Go's rule for control data without data: a socket that is not `SOCK_DGRAM` moves one dummy
/// byte with it, because a stream socket delivers ancillary data only alongside real data.
private func needsDummyByte(_ fd: Int32, _ dataCount: Int, _ oobCount: Int) throws(Errno) -> Bool {
    guard dataCount == 0 && oobCount > 0 else { return false }
    return try getsockoptInt(fd, SOL_SOCKET, SO_TYPE) != Int(SOCK_DGRAM)
}
