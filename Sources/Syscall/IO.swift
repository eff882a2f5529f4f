// Moving bytes: Go's syscall.Read, Write, Pread, Sendto, Recvfrom, and readv/writev.
// Each comes in two forms: `[UInt8]` for clarity, and raw buffer pointers for zero-copy callers.

/// Reads up to `p.count` bytes into `p` and returns how many were read: Go's `syscall.Read`.
///
/// Returns 0 at end of stream. On a non-blocking descriptor with nothing to read, throws `EAGAIN`.
///
/// ```swift
/// var buf = [UInt8](repeating: 0, count: 4096)
/// let n = try Syscall.read(fd, &buf)
/// print(String(decoding: buf[..<n], as: UTF8.self))
/// ```
///
/// The corresponding C function is `read(2)`.
public func read(_ fd: Int32, _ p: inout [UInt8]) throws(Errno) -> Int {
    try p.withMutableBytes { (buf) throws(Errno) in try system_read(fd, buf.baseAddress, buf.count) }
}

/// Reads into raw memory: the zero-copy form of ``read(_:_:)``.
///
/// The corresponding C function is `read(2)`.
public func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
    try system_read(fd, buffer.baseAddress, buffer.count)
}

/// Writes bytes and returns how many were written: Go's `syscall.Write`.
///
/// A stream socket may take fewer bytes than offered; loop until all are written. On a socket,
/// a write to a closed peer raises SIGPIPE: use ``send(_:_:_:)`` with `MSG_NOSIGNAL` to get
/// `EPIPE` instead.
///
/// ```swift
/// let n = try Syscall.write(fd, Array("hello\n".utf8))
/// ```
///
/// The corresponding C function is `write(2)`.
public func write(_ fd: Int32, _ p: [UInt8]) throws(Errno) -> Int {
    try p.withBytes { (buf) throws(Errno) in try system_write(fd, buf.baseAddress, buf.count) }
}

/// Writes from raw memory: the zero-copy form of ``write(_:_:)``.
///
/// The corresponding C function is `write(2)`.
public func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
    try system_write(fd, buffer.baseAddress, buffer.count)
}

/// Reads at an offset without moving the file offset: Go's `syscall.Pread`.
///
/// The corresponding C function is `pread(2)`.
public func pread(_ fd: Int32, _ p: inout [UInt8], _ offset: Int64) throws(Errno) -> Int {
    try p.withMutableBytes { (buf) throws(Errno) in try system_pread(fd, buf.baseAddress, buf.count, offset) }
}

/// Scatter read: fills `buffers` in order and returns the total byte count.
///
/// The corresponding C function is `readv(2)`.
public func readv(_ fd: Int32, _ buffers: [UnsafeMutableRawBufferPointer]) throws(Errno) -> Int {
    try system_readv(fd, buffers)
}

/// Scatter read into arrays: fills `iovs` in order, each up to its count, and returns the total.
///
/// ```swift
/// var parts: [[UInt8]] = [[UInt8](repeating: 0, count: 4), [UInt8](repeating: 0, count: 8)]
/// let n = try Syscall.readv(fd, &parts)   // header in parts[0], body in parts[1]
/// ```
///
/// This form reads into scratch memory and copies; the buffer-pointer form does not.
/// The corresponding C function is `readv(2)`.
public func readv(_ fd: Int32, _ iovs: inout [[UInt8]]) throws(Errno) -> Int {
    let scratch = iovs.map { UnsafeMutableRawBufferPointer.allocate(byteCount: $0.count, alignment: 1) }
    defer { scratch.forEach { $0.deallocate() } }
    let n = try system_readv(fd, scratch)
    var left = n
    for i in iovs.indices where left > 0 {
        let k = min(left, iovs[i].count)
        iovs[i].withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: scratch[i][..<k])) }
        left -= k
    }
    return n
}

/// Gather write: writes `buffers` in order in one call and returns the total byte count.
///
/// The corresponding C function is `writev(2)`.
public func writev(_ fd: Int32, _ buffers: [UnsafeRawBufferPointer]) throws(Errno) -> Int {
    try system_writev(fd, buffers)
}

/// Gather write from arrays: one system call for several pieces, such as a header and a body.
///
/// ```swift
/// let n = try Syscall.writev(fd, [Array("len=5\n".utf8), Array("hello".utf8)])
/// ```
///
/// The corresponding C function is `writev(2)`.
public func writev(_ fd: Int32, _ iovs: [[UInt8]]) throws(Errno) -> Int {
    try withBufferPointers(iovs[...], []) { (buffers) throws(Errno) in try system_writev(fd, buffers) }
}

/// Pins every array's storage at once, so one iovec list can point into all of them.
private func withBufferPointers<R>(
    _ rest: ArraySlice<[UInt8]>, _ pinned: [UnsafeRawBufferPointer],
    _ body: ([UnsafeRawBufferPointer]) throws(Errno) -> R
) throws(Errno) -> R {
    guard let first = rest.first else { return try body(pinned) }
    return try first.withBytes { (buf) throws(Errno) in
        try withBufferPointers(rest.dropFirst(), pinned + [buf], body)
    }
}

/// Sends bytes on a connected socket with flags; returns how many were sent.
///
/// Pass `MSG_NOSIGNAL` so a write to a closed peer throws `EPIPE` instead of raising SIGPIPE.
///
/// ```swift
/// let n = try Syscall.send(fd, Array("hi".utf8), MSG_NOSIGNAL)
/// ```
///
/// The corresponding C function is `send(2)`.
public func send(_ fd: Int32, _ p: [UInt8], _ flags: Int32) throws(Errno) -> Int {
    try p.withBytes { (buf) throws(Errno) in try system_send(fd, buf.baseAddress, buf.count, flags) }
}

/// Sends from raw memory: the zero-copy form of ``send(_:_:_:)``.
///
/// The corresponding C function is `send(2)`.
public func send(_ fd: Int32, from buffer: UnsafeRawBufferPointer, _ flags: Int32) throws(Errno) -> Int {
    try system_send(fd, buffer.baseAddress, buffer.count, flags)
}

/// Receives bytes with flags (`MSG_PEEK`, `MSG_DONTWAIT`, `MSG_WAITALL`...); returns how many.
///
/// With `MSG_TRUNC` on a datagram socket the result is the datagram's real length, even when
/// it is larger than `p`.
///
/// The corresponding C function is `recv(2)`.
public func recv(_ fd: Int32, _ p: inout [UInt8], _ flags: Int32) throws(Errno) -> Int {
    try p.withMutableBytes { (buf) throws(Errno) in try system_recv(fd, buf.baseAddress, buf.count, flags) }
}

/// Receives into raw memory: the zero-copy form of ``recv(_:_:_:)``.
///
/// The corresponding C function is `recv(2)`.
public func recv(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, _ flags: Int32) throws(Errno) -> Int {
    try system_recv(fd, buffer.baseAddress, buffer.count, flags)
}

/// Sends a datagram to an address: Go's `syscall.Sendto`. Returns the bytes sent.
///
/// ```swift
/// _ = try Syscall.sendto(udp, Array("ping".utf8), 0, SockaddrInet4(port: 9999, addr: [127, 0, 0, 1]))
/// ```
///
/// The corresponding C function is `sendto(2)`.
public func sendto(_ fd: Int32, _ p: [UInt8], _ flags: Int32, _ to: any Sockaddr) throws(Errno) -> Int {
    let raw = try to.raw()
    return try p.withBytes { (buf) throws(Errno) in
        try raw.withUnsafeBytes { (addr, len) throws(Errno) in
            try system_sendto(fd, buf.baseAddress, buf.count, flags, addr, len)
        }
    }
}

/// Sends from raw memory to an address: the zero-copy form of ``sendto(_:_:_:_:)``.
///
/// The corresponding C function is `sendto(2)`.
public func sendto(_ fd: Int32, from buffer: UnsafeRawBufferPointer, _ flags: Int32, _ to: any Sockaddr) throws(Errno) -> Int {
    try to.raw().withUnsafeBytes { (addr, len) throws(Errno) in
        try system_sendto(fd, buffer.baseAddress, buffer.count, flags, addr, len)
    }
}

/// Receives a datagram and its sender: Go's `syscall.Recvfrom`.
///
/// `from` is nil when the kernel reports no address (a connected stream socket), or one of a
/// family Syscall has no `Sockaddr` for (AF_NETLINK...): the datagram is consumed by then, so it
/// is returned rather than lost to an error.
///
/// ```swift
/// var buf = [UInt8](repeating: 0, count: 65536)
/// let (n, from) = try Syscall.recvfrom(udp, &buf, 0)
/// ```
///
/// The corresponding C function is `recvfrom(2)`.
public func recvfrom(_ fd: Int32, _ p: inout [UInt8], _ flags: Int32) throws(Errno) -> (n: Int, from: (any Sockaddr)?) {
    var raw = RawSockaddrAny()
    let n = try p.withMutableBytes { (buf) throws(Errno) in
        try raw.withUnsafeMutableBytes { (addr, len) throws(Errno) in
            try system_recvfrom(fd, buf.baseAddress, buf.count, flags, addr, len)
        }
    }
    return (n, senderAddress(raw))
}

/// Receives into raw memory: the zero-copy form of ``recvfrom(_:_:_:)``.
///
/// The corresponding C function is `recvfrom(2)`.
public func recvfrom(
    _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, _ flags: Int32
) throws(Errno) -> (n: Int, from: (any Sockaddr)?) {
    var raw = RawSockaddrAny()
    let n = try raw.withUnsafeMutableBytes { (addr, len) throws(Errno) in
        try system_recvfrom(fd, buffer.baseAddress, buffer.count, flags, addr, len)
    }
    return (n, senderAddress(raw))
}
