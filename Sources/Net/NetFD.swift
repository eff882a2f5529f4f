// Go's netFD (net/fd_posix.go, fd_unix.go): a PollFD plus what Net knows about the socket:
// family, type, network name and addresses. Its methods add the system call's name to an
// errno (SyscallError); the exported conn and listener methods add the OpError.
import NetPoll
import Synchronization
import Syscall

final class NetFD: Sendable {
    let pfd: PollFD
    let family: Int32
    let sotype: Int32
    /// The network name as the user gave it ("tcp", "tcp4", "unix"...), for OpError.
    let net: String
    private let addresses = Mutex<(local: (any Addr)?, remote: (any Addr)?)>((nil, nil))
    private let connected = Atomic<Bool>(false)

    init(_ pfd: PollFD, family: Int32, sotype: Int32, net: String) {
        self.pfd = pfd
        self.family = family
        self.sotype = sotype
        self.net = net
    }

    var laddr: (any Addr)? { addresses.withLock { $0.local } }
    var raddr: (any Addr)? { addresses.withLock { $0.remote } }

    func setAddr(local: (any Addr)?, remote: (any Addr)?) {
        addresses.withLock { $0 = (local, remote) }
    }

    /// Whether the socket was connected by a dial (WriteTo is then an error, as in Go).
    var isConnected: Bool {
        get { connected.load(ordering: .relaxed) }
        set { connected.store(newValue, ordering: .relaxed) }
    }

    /// Go's ZeroReadIsEOF: a 0-byte read is end of stream on stream and seqpacket sockets, but
    /// an empty datagram on dgram and raw ones.
    var zeroReadIsEOF: Bool { sotype != SOCK_DGRAM && sotype != SOCK_RAW }

    // MARK: error mapping

    /// NetPoll's error with the system call's name, as Go's wrapSyscallError does.
    static func wrap(_ error: PollError, _ syscall: String) -> any Error {
        switch error {
        case .closing: return ErrClosed()
        case .timeout: return DeadlineExceededError()
        case .canceled: return CancellationError()
        case .errno(let e): return SyscallError(syscall, e)
        }
    }

    // MARK: operations (each throws the underlying error; callers build the OpError)
    // The I/O four are inlined into SocketConn's: each async call level costs a frame from the
    // task allocator on every operation, parked or not. For the same reason they spell out
    // PollFD's read and write (a first try that is a synchronous call, then an async call only
    // to wait) rather than call them: the optimiser does not inline an async method across the
    // module boundary, even an @inlinable one, so the call would cost a frame per operation.

    @inline(__always)
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        do {
            let first = try pfd.tryRead(into: buffer)
            if case .done(let n) = first { return n }
            return try await pfd.readWaiting(into: buffer, after: first)
        } catch {
            throw Self.wrap(error, "read")
        }
    }

    @inline(__always)
    func read(_ p: inout [UInt8]) async throws -> Int {
        do {
            let first = try pfd.tryRead(&p)
            if case .done(let n) = first { return n }
            return try await pfd.readWaiting(&p, after: first)
        } catch {
            throw Self.wrap(error, "read")
        }
    }

    @inline(__always)
    func write(_ bytes: [UInt8]) async throws {
        var written = 0
        do {
            let first = try pfd.tryWrite(bytes, written: &written)
            if case .done = first { return }
            try await pfd.writeWaiting(bytes, written: &written, after: first)
        } catch {
            throw Self.wrap(error, "write")
        }
    }

    @inline(__always)
    func write(_ buffer: UnsafeRawBufferPointer) async throws {
        var written = 0
        do {
            let first = try pfd.tryWrite(buffer, written: &written)
            if case .done = first { return }
            try await pfd.writeWaiting(buffer, written: &written, after: first)
        } catch {
            throw Self.wrap(error, "write")
        }
    }

    func close() throws {
        do { try pfd.close() } catch { throw Self.wrap(error, "close") }
    }

    func shutdown(_ how: Int32) throws {
        do { try pfd.withFD { (fd) throws(Errno) in try Syscall.shutdown(fd, how) } } catch { throw Self.wrap(error, "shutdown") }
    }

    func setDeadline(_ t: ContinuousClock.Instant?, _ directions: PollDesc.Directions) throws {
        do { try pfd.setDeadline(t, directions) } catch { throw Self.wrap(error, "setdeadline") }
    }

    func setsockoptInt(_ level: Int32, _ opt: Int32, _ value: Int) throws {
        do {
            try pfd.withFD { (fd) throws(Errno) in try Syscall.setsockoptInt(fd, level, opt, value) }
        } catch {
            throw Self.wrap(error, "setsockopt")
        }
    }

    func getsockoptInt(_ level: Int32, _ opt: Int32) throws -> Int {
        do {
            return try pfd.withFD { (fd) throws(Errno) in try Syscall.getsockoptInt(fd, level, opt) }
        } catch {
            throw Self.wrap(error, "getsockopt")
        }
    }

    /// A close-on-exec duplicate for the caller to own: Go's netFD.dup. The duplicate shares the
    /// open file description, so it is non-blocking too; SwiftNet never turns it blocking behind
    /// the original's back (Go issue 29277).
    func dup() throws -> Int32 {
        pfd.markShared()
        do { return try pfd.withFD { (fd) throws(Errno) in try Syscall.dupCloseOnExec(fd) } } catch { throw Self.wrap(error, "dup") }
    }

    func accept() async throws -> (fd: Int32, peer: RawSockaddrAny) {
        do {
            return try await pfd.accept()
        } catch {
            // Go falls back to accept(2) after these accept4 errors, so they carry its name.
            if case .errno(let e) = error, [.EINVAL, .ENOSYS, .EACCES, .EFAULT].contains(e) {
                throw Self.wrap(error, "accept")
            }
            throw Self.wrap(error, "accept4")
        }
    }
}
