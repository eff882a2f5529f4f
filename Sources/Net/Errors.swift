// Net's errors: Go's net.OpError and its family, with Go's texts to the character.
//
// Errors gain context once per layer (DESIGN.md): Syscall throws Errno; the fd code wraps it
// with the system call's name (SyscallError, Go's os.SyscallError); only exported methods
// build the OpError that says what was being done, on which network, between which addresses.
public import Syscall

/// An error that can say whether it is a timeout: Go's `net.Error`.
///
/// ```swift
/// do {
///     let n = try await conn.read(into: buffer)
/// } catch let error as any NetError where error.timeout {
///     print("no data within the deadline")
/// }
/// ```
public protocol NetError: Error, CustomStringConvertible, Sendable {
    /// Whether the operation timed out (a deadline passed, or the system said ETIMEDOUT/EAGAIN).
    var timeout: Bool { get }
    /// Whether retrying may succeed. Deprecated in Go; kept for faithful ports.
    var temporary: Bool { get }
}

/// The error every operation on a connection, listener or dial returns: Go's `net.OpError`.
///
/// Its description is Go's text exactly: op, then net, then the addresses, then the cause:
/// `dial unix /no/such.sock: connect: no such file or directory`,
/// `read tcp 127.0.0.1:1->127.0.0.1:2: i/o timeout`. `source` and `addr` print as `SRC->ADDR`
/// only when both are set.
///
/// ```swift
/// do {
///     _ = try await Net.dial("unix", "/no/such.sock")
/// } catch {
///     print(error)                          // dial unix /no/such.sock: connect: no such file or directory
///     print(error.underlying is SyscallError)   // true
/// }
/// ```
public struct OpError: NetError {
    // One reference, like Go's *OpError: the fields (two strings, two optional addresses and
    // the cause, 136 bytes) live in a box. A typed `throws(OpError)` of a 136-byte value is
    // returned through memory the caller reserves, so each async caller's frame kept a slot
    // for every call's error, on the task's own stack, for the task's whole life: an echo
    // handler's frame took 496 bytes (144 now), and a served unix connection's task stack
    // three 1 KiB slabs (two now). A one-word error comes back in a register. Errors are
    // built once and read; a setter makes a new box, so a copy never sees another's change.
    private final class Fields: Sendable {
        let op: String
        let net: String
        let source: (any Addr)?
        let addr: (any Addr)?
        let underlying: any Error

        init(op: String, net: String, source: (any Addr)?, addr: (any Addr)?, underlying: any Error) {
            self.op = op
            self.net = net
            self.source = source
            self.addr = addr
            self.underlying = underlying
        }
    }

    private var fields: Fields

    /// The operation: "dial", "listen", "accept", "read", "write", "close", "set", "file"...
    public var op: String {
        get { fields.op }
        set { fields = Fields(op: newValue, net: net, source: source, addr: addr, underlying: underlying) }
    }
    /// The network: "tcp", "udp", "unix", ... (empty if unknown).
    public var net: String {
        get { fields.net }
        set { fields = Fields(op: op, net: newValue, source: source, addr: addr, underlying: underlying) }
    }
    /// The local address, for operations that have one.
    public var source: (any Addr)? {
        get { fields.source }
        set { fields = Fields(op: op, net: net, source: newValue, addr: addr, underlying: underlying) }
    }
    /// The remote address (or the listener's address for accept and listen).
    public var addr: (any Addr)? {
        get { fields.addr }
        set { fields = Fields(op: op, net: net, source: source, addr: newValue, underlying: underlying) }
    }
    /// The cause: a SyscallError, ErrClosed, DeadlineExceededError, AddrError,
    /// UnknownNetworkError, DNSError, CancellationError, ...
    public var underlying: any Error {
        get { fields.underlying }
        set { fields = Fields(op: op, net: net, source: source, addr: addr, underlying: newValue) }
    }

    public init(op: String, net: String, source: (any Addr)? = nil, addr: (any Addr)? = nil, underlying: any Error) {
        fields = Fields(op: op, net: net, source: source, addr: addr, underlying: underlying)
    }

    public var description: String {
        var s = op
        if !net.isEmpty { s += " " + net }
        if let source { s += " " + source.description }
        if let addr {
            s += (source != nil ? "->" : " ") + addr.description
        }
        return s + ": " + errorText(underlying)
    }

    /// Go's `OpError.Timeout`: looks through one SyscallError to the errno.
    public var timeout: Bool {
        if let e = underlying as? SyscallError { return e.err.timeout }
        return (underlying as? any NetError)?.timeout ?? false
    }

    /// Go's `OpError.Temporary`: looks through one SyscallError to the errno.
    public var temporary: Bool {
        if let e = underlying as? SyscallError { return e.err.temporary }
        return (underlying as? any NetError)?.temporary ?? false
    }

    /// Whether the cause is a closed connection or listener (Go's `errors.Is(err, net.ErrClosed)`).
    public var isClosed: Bool { underlying is ErrClosed }
}

/// The text of any error as Go would print it; a cancelled task is Go's `operation was canceled`.
func errorText(_ error: any Error) -> String {
    if error is CancellationError { return "operation was canceled" }
    return String(describing: error)
}

/// A failed system call and its name: Go's `os.SyscallError`, printed `connect: connection refused`.
public struct SyscallError: NetError {
    /// The system call: "connect", "bind", "read", "accept4", ...
    public var syscall: String
    /// What it returned.
    public var err: Errno

    public init(_ syscall: String, _ err: Errno) {
        self.syscall = syscall
        self.err = err
    }

    public var description: String { syscall + ": " + err.description }
    public var timeout: Bool { err.timeout }
    public var temporary: Bool { err.temporary }
}

/// The connection or listener was closed, before or during the operation: Go's `net.ErrClosed`,
/// "use of closed network connection".
public struct ErrClosed: NetError {
    public init() {}
    public var description: String { "use of closed network connection" }
    public var timeout: Bool { false }
    public var temporary: Bool { false }
}

/// An I/O deadline passed: Go's `os.ErrDeadlineExceeded`, "i/o timeout".
public struct DeadlineExceededError: NetError {
    public init() {}
    public var description: String { "i/o timeout" }
    public var timeout: Bool { true }
    public var temporary: Bool { true }
}

/// A dial ran out of time (Dialer.timeout or deadline): Go's internal errTimeout, "i/o timeout".
/// Distinct from ``DeadlineExceededError``, as in Go.
public struct DialTimeoutError: NetError {
    public init() {}
    public var description: String { "i/o timeout" }
    public var timeout: Bool { true }
    public var temporary: Bool { true }
}

/// A network name Go does not know: Go's `net.UnknownNetworkError`, "unknown network NAME".
public struct UnknownNetworkError: NetError, Hashable {
    public var network: String
    public init(_ network: String) { self.network = network }
    public var description: String { "unknown network " + network }
    public var timeout: Bool { false }
    public var temporary: Bool { false }
}

/// An address that does not fit the operation: Go's `net.InvalidAddrError`.
public struct InvalidAddrError: NetError, Hashable {
    public var text: String
    public init(_ text: String) { self.text = text }
    public var description: String { text }
    public var timeout: Bool { false }
    public var temporary: Bool { false }
}

/// A name lookup failed: Go's `net.DNSError`, "lookup NAME: no such host".
public struct DNSError: NetError, Hashable {
    public var err: String
    public var name: String
    public var server: String
    public var isTimeout: Bool
    public var isTemporary: Bool
    public var isNotFound: Bool

    public init(err: String, name: String, server: String = "", isTimeout: Bool = false,
                isTemporary: Bool = false, isNotFound: Bool = false) {
        self.err = err
        self.name = name
        self.server = server
        self.isTimeout = isTimeout
        self.isTemporary = isTemporary
        self.isNotFound = isNotFound
    }

    public var description: String {
        "lookup " + name + (server.isEmpty ? "" : " on " + server) + ": " + err
    }
    public var timeout: Bool { isTimeout }
    public var temporary: Bool { isTimeout || isTemporary }
}

/// WriteTo on a connected socket: Go's `net.ErrWriteToConnected`.
public struct ErrWriteToConnected: NetError {
    public init() {}
    public var description: String { "use of WriteTo with pre-connected connection" }
    public var timeout: Bool { false }
    public var temporary: Bool { false }
}

/// Go's unexported sentinel errors that appear inside OpError and AddrError texts.
struct NetErrorText: NetError, Hashable {
    let description: String
    var timeout: Bool { false }
    var temporary: Bool { false }

    static let missingAddress = NetErrorText(description: "missing address")
    static let noSuitableAddress = "no suitable address found"
    static let unexpectedEOF = NetErrorText(description: "unexpected EOF")
}
