// Control messages (cmsg(3)) as plain bytes, laid out exactly as the kernel and Go lay them out,
// so a buffer built by Go's syscall.UnixRights parses here and ours parses in Go.
//
// On 64-bit Linux a header is 16 bytes: cmsg_len (UInt64, header included), cmsg_level (Int32),
// cmsg_type (Int32); data follows, and each message is padded to 8 bytes. Parsing checks every
// length against the buffer before reading: nothing in a buffer from the network is trusted.

/// The header of one control message: Go's `syscall.Cmsghdr`.
public struct Cmsghdr: Sendable, Hashable {
    /// `cmsg_len`: header plus data, without trailing padding.
    public var len: UInt64
    /// `cmsg_level`: `SOL_SOCKET` for `SCM_RIGHTS` and `SCM_CREDENTIALS`.
    public var level: Int32
    /// `cmsg_type`: `SCM_RIGHTS`, `SCM_CREDENTIALS`, ...
    public var type: Int32

    /// A header.
    public init(len: UInt64, level: Int32, type: Int32) {
        self.len = len
        self.level = level
        self.type = type
    }
}

/// One control message: Go's `syscall.SocketControlMessage`.
public struct SocketControlMessage: Sendable, Hashable {
    /// The header as it was in the buffer.
    public var header: Cmsghdr
    /// The data: `header.len` minus the header, without padding.
    public var data: [UInt8]

    /// A message.
    public init(header: Cmsghdr, data: [UInt8]) {
        self.header = header
        self.data = data
    }
}

/// The size of a control message header: Go's `syscall.SizeofCmsghdr`.
public let sizeofCmsghdr = 16

/// Rounds a length up to the control-message alignment (8 bytes on 64-bit Linux).
func cmsgAlign(_ length: Int) -> Int { (length + 7) & ~7 }

/// The value of `cmsg_len` for `dataLength` bytes of data: Go's `syscall.CmsgLen`.
///
/// The corresponding C macro is `CMSG_LEN`.
public func cmsgLen(_ dataLength: Int) -> Int { system_CMSG_LEN(dataLength) }

/// The buffer space one message with `dataLength` bytes of data takes, padding included:
/// Go's `syscall.CmsgSpace`. Size a `recvmsg` control buffer with it.
///
/// ```swift
/// var oob = [UInt8](repeating: 0, count: Syscall.cmsgSpace(4 * maxFds))
/// ```
///
/// The corresponding C macro is `CMSG_SPACE`.
public func cmsgSpace(_ dataLength: Int) -> Int { system_CMSG_SPACE(dataLength) }

/// Splits a control buffer into its messages: Go's `syscall.ParseSocketControlMessage`.
///
/// Throws `EINVAL`, as Go does, for a header whose length is shorter than a header or runs past
/// the end of the buffer. Trailing bytes too short to hold a header are ignored, as in Go.
///
/// ```swift
/// let messages = try Syscall.parseSocketControlMessage(Array(oob[..<r.oobn]))
/// for m in messages where m.header.type == SCM_RIGHTS { fds += try Syscall.parseUnixRights(m) }
/// ```
public func parseSocketControlMessage(_ b: [UInt8]) throws(Errno) -> [SocketControlMessage] {
    var messages: [SocketControlMessage] = []
    try b.withUnsafeBytes { raw in
        Result { () throws(Errno) in
            try forEachSocketControlMessage(raw) { header, data in
                messages.append(SocketControlMessage(header: header, data: Array(data)))
            }
        }
    }.get()
    return messages
}

/// Walks a control buffer's messages where they lie: the allocation-free form of
/// ``parseSocketControlMessage(_:)``, with the same checks. `body` gets each header and a view
/// of its data, valid only during the call. A program that receives a message per operation
/// (an fd server, say) parses with this and allocates nothing.
///
/// ```swift
/// let r = try await conn.readMsgUnix(into: data, oob: oob)
/// try Syscall.forEachSocketControlMessage(UnsafeRawBufferPointer(rebasing: oob[..<r.oobn])) { (header, data) throws(Errno) in
///     try Syscall.forEachUnixRight(header, data) { fd in try? Syscall.close(fd) }
/// }
/// ```
public func forEachSocketControlMessage(
    _ b: UnsafeRawBufferPointer, _ body: (Cmsghdr, UnsafeRawBufferPointer) throws(Errno) -> Void
) throws(Errno) {
    var i = 0
    while i + cmsgLen(0) <= b.count {
        let header = Cmsghdr(
            len: b.loadUnaligned(fromByteOffset: i, as: UInt64.self),
            level: b.loadUnaligned(fromByteOffset: i + 8, as: Int32.self),
            type: b.loadUnaligned(fromByteOffset: i + 12, as: Int32.self))
        guard header.len >= UInt64(sizeofCmsghdr), header.len <= UInt64(b.count - i) else { throw .EINVAL }
        let length = Int(header.len)
        try body(header, UnsafeRawBufferPointer(rebasing: b[(i + cmsgAlign(sizeofCmsghdr))..<(i + length)]))
        i += cmsgAlign(length)
    }
}

/// Builds one control message with the given level, type and data, padded to its full space.
func buildControlMessage(level: Int32, type: Int32, data: UnsafeRawBufferPointer) -> [UInt8] {
    var b = [UInt8](repeating: 0, count: cmsgSpace(data.count))
    b.withUnsafeMutableBytes { raw in
        raw.storeBytes(of: UInt64(cmsgLen(data.count)), toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: level, toByteOffset: 8, as: Int32.self)
        raw.storeBytes(of: type, toByteOffset: 12, as: Int32.self)
        UnsafeMutableRawBufferPointer(rebasing: raw[cmsgAlign(sizeofCmsghdr)...]).copyMemory(from: data)
    }
    return b
}
