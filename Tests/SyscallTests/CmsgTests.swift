// Control-message bytes, exactly as Go builds and parses them. Expected bytes were printed by
// Go 1.19 (`syscall.UnixRights(3, 4)`, `UnixRights(5)`, `UnixCredentials(&Ucred{1, 2, 3})`,
// `CmsgLen`, `CmsgSpace`) on linux/amd64. Malformed buffers throw EINVAL and never crash.
import Syscall
import Testing
import TestSupport

@Suite(.fdLeakCheck)
struct CmsgTests {
    /// A little-endian UInt64 as 8 bytes.
    private func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A header: len, level, type.
    private func header(len: UInt64, level: Int32 = 1, type: Int32 = 1) -> [UInt8] {
        le64(len) + [UInt8(level), 0, 0, 0, UInt8(type), 0, 0, 0]
    }

    @Test func cmsgLenAndSpaceMatchGo() {
        #expect(sizeofCmsghdr == 16)
        #expect(Syscall.cmsgLen(0) == 16)
        #expect(Syscall.cmsgLen(4) == 20)
        #expect(Syscall.cmsgLen(12) == 28)
        #expect(Syscall.cmsgSpace(0) == 16)
        #expect(Syscall.cmsgSpace(4) == 24)
        #expect(Syscall.cmsgSpace(8) == 24)
        #expect(Syscall.cmsgSpace(12) == 32)
    }

    @Test func unixRightsBytesMatchGo() {
        #expect(Syscall.unixRights(3, 4) == [24, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0])
        #expect(Syscall.unixRights(5) == [20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0])
        #expect(Syscall.unixRights([3, 4]) == Syscall.unixRights(3, 4))
        #expect(Syscall.unixRights(0x0102_0304) == header(len: 20) + [4, 3, 2, 1, 0, 0, 0, 0])
    }

    @Test func unixCredentialsBytesMatchGo() {
        #expect(Syscall.unixCredentials(Ucred(pid: 1, uid: 2, gid: 3)) == [
            28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
        ])
    }

    @Test func parsesOneMessage() throws {
        let messages = try Syscall.parseSocketControlMessage(Syscall.unixRights(3, 4))
        #expect(messages.count == 1)
        #expect(messages[0].header == Cmsghdr(len: 24, level: SOL_SOCKET, type: SCM_RIGHTS))
        #expect(messages[0].data == [3, 0, 0, 0, 4, 0, 0, 0])
        #expect(try Syscall.parseUnixRights(messages[0]) == [3, 4])
    }

    @Test func dataExcludesPadding() throws {
        let messages = try Syscall.parseSocketControlMessage(Syscall.unixRights(5))
        #expect(messages.map(\.data) == [[5, 0, 0, 0]])
        #expect(try Syscall.parseUnixRights(messages[0]) == [5])
    }

    @Test func severalMessagesParseInOrder() throws {
        let me = Ucred(pid: 10, uid: 20, gid: 30)
        let buffer = Syscall.unixRights(3) + Syscall.unixCredentials(me) + Syscall.unixRights(7, 8, 9)
        #expect(buffer.count == 24 + 32 + 32)
        let messages = try Syscall.parseSocketControlMessage(buffer)
        #expect(messages.map(\.header.type) == [SCM_RIGHTS, SCM_CREDENTIALS, SCM_RIGHTS])
        #expect(messages.map(\.header.len) == [20, 28, 28])
        #expect(try Syscall.parseUnixRights(messages[0]) == [3])
        #expect(try Syscall.parseUnixCredentials(messages[1]) == me)
        #expect(try Syscall.parseUnixRights(messages[2]) == [7, 8, 9])
    }

    /// The in-place walker sees what parseSocketControlMessage returns, as views into the buffer
    /// itself, and a visitor's error ends the walk.
    @Test func inPlaceWalkSeesTheBufferItself() throws {
        let buffer = Syscall.unixRights(3) + Syscall.unixCredentials(Ucred(pid: 1, uid: 2, gid: 3)) + Syscall.unixRights(7, 8)
        let parsed = try Syscall.parseSocketControlMessage(buffer)
        try buffer.withUnsafeBytes { raw in
            var seen: [SocketControlMessage] = []
            var rights: [Int32] = []
            try Syscall.forEachSocketControlMessage(raw) { (header, data) throws(Errno) in
                #expect(data.baseAddress! >= raw.baseAddress! && data.baseAddress! + data.count <= raw.baseAddress! + raw.count)
                seen.append(SocketControlMessage(header: header, data: Array(data)))
                if header.type == SCM_RIGHTS { try Syscall.forEachUnixRight(header, data) { rights.append($0) } }
            }
            #expect(seen == parsed)
            #expect(rights == [3, 7, 8])

            var visited = 0
            #expect(throws: Errno.EINVAL) {
                try Syscall.forEachSocketControlMessage(raw) { (header, data) throws(Errno) in
                    visited += 1
                    try Syscall.forEachUnixRight(header, data) { _ in }   // the credentials: EINVAL
                }
            }
            #expect(visited == 2)
        }
    }

    @Test func lastMessageMayLackItsPadding() throws {
        // The kernel may stop the buffer at cmsg_len; Go parses it (one message).
        let messages = try Syscall.parseSocketControlMessage(Array(Syscall.unixRights(5)[..<20]))
        #expect(messages.count == 1)
        #expect(try Syscall.parseUnixRights(messages[0]) == [5])
    }

    @Test func emptyBufferHasNoMessages() throws {
        #expect(try Syscall.parseSocketControlMessage([]).isEmpty)
    }

    @Test(arguments: [1, 8, 15])
    func trailingBytesShorterThanAHeaderAreIgnored(_ extra: Int) throws {
        let buffer = Syscall.unixRights(3, 4) + [UInt8](repeating: 0xff, count: extra)
        let messages = try Syscall.parseSocketControlMessage(buffer)
        #expect(messages.count == 1)
        #expect(try Syscall.parseUnixRights(messages[0]) == [3, 4])
    }

    @Test func trailingZeroHeaderIsEINVALAsInGo() {
        // 16 more bytes are a header, and its length 0 is shorter than a header.
        #expect(throws: Errno.EINVAL) {
            try Syscall.parseSocketControlMessage(Syscall.unixRights(3, 4) + [UInt8](repeating: 0, count: 16))
        }
    }

    static let badLengths: [UInt64] = [0, 1, 8, 15, 33, 1 << 32, 1 << 63, UInt64.max - 7, UInt64.max]

    @Test(arguments: badLengths)
    func headerLengthOutOfBoundsIsEINVAL(_ len: UInt64) {
        // A 32-byte buffer: a length below 16 or past 32 is malformed.
        let buffer = header(len: len) + [UInt8](repeating: 0, count: 16)
        #expect(throws: Errno.EINVAL) { try Syscall.parseSocketControlMessage(buffer) }
    }

    @Test(arguments: badLengths)
    func malformedSecondMessageIsEINVAL(_ len: UInt64) {
        let buffer = Syscall.unixRights(3) + header(len: len) + [1, 2, 3, 4]
        #expect(throws: Errno.EINVAL) { try Syscall.parseSocketControlMessage(buffer) }
    }

    @Test func lengthExactlyToTheEndIsAccepted() throws {
        let buffer = header(len: 32) + [UInt8](repeating: 9, count: 16)
        let messages = try Syscall.parseSocketControlMessage(buffer)
        #expect(messages.count == 1)
        #expect(messages[0].data == [UInt8](repeating: 9, count: 16))
    }

    @Test func parseUnixRightsRejectsOtherMessages() {
        let wrongLevel = SocketControlMessage(header: Cmsghdr(len: 20, level: 0, type: SCM_RIGHTS), data: [3, 0, 0, 0])
        let wrongType = SocketControlMessage(header: Cmsghdr(len: 20, level: SOL_SOCKET, type: SCM_CREDENTIALS), data: [3, 0, 0, 0])
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixRights(wrongLevel) }
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixRights(wrongType) }
    }

    @Test(arguments: [1, 2, 3, 5, 7])
    func parseUnixRightsRejectsPartialDescriptors(_ count: Int) {
        let m = SocketControlMessage(
            header: Cmsghdr(len: UInt64(16 + count), level: SOL_SOCKET, type: SCM_RIGHTS),
            data: [UInt8](repeating: 3, count: count))
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixRights(m) }
    }

    @Test func parseUnixRightsOfNoDescriptorsIsEmpty() throws {
        let m = SocketControlMessage(header: Cmsghdr(len: 16, level: SOL_SOCKET, type: SCM_RIGHTS), data: [])
        #expect(try Syscall.parseUnixRights(m).isEmpty)
    }

    @Test func parseUnixCredentialsRejectsOtherMessages() throws {
        let rights = try Syscall.parseSocketControlMessage(Syscall.unixRights(1, 2, 3))[0]
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixCredentials(rights) }
        let short = SocketControlMessage(
            header: Cmsghdr(len: 24, level: SOL_SOCKET, type: SCM_CREDENTIALS), data: [1, 0, 0, 0, 2, 0, 0, 0])
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixCredentials(short) }
        let wrongLevel = SocketControlMessage(
            header: Cmsghdr(len: 28, level: 0, type: SCM_CREDENTIALS), data: [UInt8](repeating: 0, count: 12))
        #expect(throws: Errno.EINVAL) { try Syscall.parseUnixCredentials(wrongLevel) }
    }

    @Test func credentialsRoundTripThroughBytes() throws {
        let cred = Ucred(pid: 0x1234_5678, uid: 0xffff_fffe, gid: 42)
        let messages = try Syscall.parseSocketControlMessage(Syscall.unixCredentials(cred))
        #expect(messages.count == 1)
        #expect(try Syscall.parseUnixCredentials(messages[0]) == cred)
    }
}
