// SCM_RIGHTS (passing open descriptors) and SCM_CREDENTIALS (passing a pid/uid/gid), unix(7).
// Byte for byte what Go's syscall.UnixRights and UnixCredentials build.

/// Encodes open descriptors as an `SCM_RIGHTS` control message: Go's `syscall.UnixRights`.
///
/// Send the result as the `oob` of ``sendmsgN(_:_:_:_:_:)``; the receiver gets new
/// descriptors for the same open files. The sender may close its own copies once sent.
///
/// ```swift
/// let oob = Syscall.unixRights(fileFd, socketFd)
/// _ = try Syscall.sendmsgN(sock, [0], oob, nil, MSG_NOSIGNAL)
/// ```
public func unixRights(_ fds: Int32...) -> [UInt8] {
    unixRights(fds)
}

/// Encodes an array of descriptors as an `SCM_RIGHTS` control message.
public func unixRights(_ fds: [Int32]) -> [UInt8] {
    fds.withUnsafeBytes { buildControlMessage(level: SOL_SOCKET, type: SCM_RIGHTS, data: $0) }
}

/// Decodes the descriptors of an `SCM_RIGHTS` message: Go's `syscall.ParseUnixRights`.
///
/// Throws `EINVAL` if the message is not `SOL_SOCKET`/`SCM_RIGHTS`, as Go does, and also when
/// its data is not a whole number of 4-byte descriptors, where Go would panic. The descriptors
/// are yours: close the ones you do not keep, or they leak.
///
/// ```swift
/// for m in try Syscall.parseSocketControlMessage(oob) {
///     let fds = try Syscall.parseUnixRights(m)
/// }
/// ```
public func parseUnixRights(_ m: SocketControlMessage) throws(Errno) -> [Int32] {
    var fds: [Int32] = []
    try m.data.withUnsafeBytes { raw in
        Result { () throws(Errno) in try forEachUnixRight(m.header, raw) { fds.append($0) } }
    }.get()
    return fds
}

/// Calls `body` with each descriptor of an `SCM_RIGHTS` message, read where it lies: the
/// allocation-free form of ``parseUnixRights(_:)``, with the same checks, for the header and
/// data that ``forEachSocketControlMessage(_:_:)`` hands out. The descriptors are yours.
///
/// ```swift
/// try Syscall.forEachUnixRight(header, data) { fd in received.append(fd) }
/// ```
public func forEachUnixRight(_ header: Cmsghdr, _ data: UnsafeRawBufferPointer, _ body: (Int32) -> Void) throws(Errno) {
    guard header.level == SOL_SOCKET, header.type == SCM_RIGHTS else { throw .EINVAL }
    guard data.count % 4 == 0 else { throw .EINVAL }
    for offset in stride(from: 0, to: data.count, by: 4) {
        body(data.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }
}

/// Encodes credentials as an `SCM_CREDENTIALS` message: Go's `syscall.UnixCredentials`.
///
/// The receiver must enable `SO_PASSCRED`. The kernel checks what you send: an unprivileged
/// process can only send its own pid, uid and gid.
///
/// ```swift
/// try Syscall.setsockoptInt(receiver, SOL_SOCKET, SO_PASSCRED, 1)
/// let me = Ucred(pid: getpid(), uid: getuid(), gid: getgid())
/// _ = try Syscall.sendmsgN(sender, [0], Syscall.unixCredentials(me), nil, 0)
/// ```
public func unixCredentials(_ ucred: Ucred) -> [UInt8] {
    var v = ucred
    return withUnsafeBytes(of: &v) { buildControlMessage(level: SOL_SOCKET, type: SCM_CREDENTIALS, data: $0) }
}

/// Decodes an `SCM_CREDENTIALS` message: Go's `syscall.ParseUnixCredentials`.
///
/// Throws `EINVAL` if the message is not `SOL_SOCKET`/`SCM_CREDENTIALS` or is too short.
public func parseUnixCredentials(_ m: SocketControlMessage) throws(Errno) -> Ucred {
    guard m.header.level == SOL_SOCKET, m.header.type == SCM_CREDENTIALS else { throw .EINVAL }
    guard m.data.count >= MemoryLayout<Ucred>.size else { throw .EINVAL }
    return m.data.withUnsafeBytes { raw in
        Ucred(
            pid: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self),
            uid: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
            gid: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    }
}
