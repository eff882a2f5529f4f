// Go's net.AddrError and net.ParseError: what the address parsers throw, with Go's texts.

/// An error about an address: Go's `net.AddrError`.
///
/// Thrown by ``splitHostPort(_:)`` and, wrapped in an operation error, by dialing and resolving.
/// Its description is Go's `Error()` to the character: `address ADDR: ERR`, or just `ERR` when
/// `addr` is empty.
///
/// ```swift
/// do {
///     _ = try Net.splitHostPort("golang.org")
/// } catch {
///     print(error)        // address golang.org: missing port in address
///     print(error.err)    // missing port in address
/// }
/// ```
public struct AddrError: NetError, Hashable {
    /// What is wrong: `"missing port in address"`, `"no suitable address found"`, ...
    public var err: String
    /// The address it is about; may be empty.
    public var addr: String

    /// An error `err` about the address `addr`.
    public init(err: String, addr: String = "") {
        self.err = err
        self.addr = addr
    }

    /// `address ADDR: ERR`, or `ERR` when `addr` is empty.
    public var description: String {
        addr.isEmpty ? err : "address \(addr): \(err)"
    }

    /// Always false: Go's `AddrError.Timeout()`.
    public var timeout: Bool { false }
    /// Always false: Go's `AddrError.Temporary()`.
    public var temporary: Bool { false }
}

/// Text that is not a valid address of the expected kind: Go's `net.ParseError`.
///
/// Thrown by ``parseCIDR(_:)``. Its description is Go's `Error()`: `invalid TYPE: TEXT`, with an
/// empty text leaving the trailing space (`invalid CIDR address: `).
///
/// ```swift
/// do {
///     _ = try Net.parseCIDR("1.2.3.4/33")
/// } catch {
///     print(error)   // invalid CIDR address: 1.2.3.4/33
/// }
/// ```
public struct ParseError: NetError, Hashable {
    /// What was expected: `"IP address"` or `"CIDR address"`.
    public var type: String
    /// The text that failed to parse.
    public var text: String

    /// An error saying `text` is not a valid `type`.
    public init(type: String, text: String) {
        self.type = type
        self.text = text
    }

    /// `invalid TYPE: TEXT`.
    public var description: String { "invalid \(type): \(text)" }

    /// Always false: Go's `ParseError.Timeout()`.
    public var timeout: Bool { false }
    /// Always false: Go's `ParseError.Temporary()`.
    public var temporary: Bool { false }
}
