// The interfaces of Go's net package: Conn, PacketConn and Listener.

/// A stream-oriented network connection: Go's `net.Conn`.
///
/// `read` returns the bytes that are available (at least one), and returns 0 only at end of
/// stream, SwiftNet's `io.EOF`. A read never returns bytes and an error together: bytes come
/// first, the error on the next call. `write` writes everything or throws.
///
/// Any task may call any method; reads are serialised with reads and writes with writes, and
/// `close()` from another task wakes a blocked read or write with `ErrClosed`.
///
/// ```swift
/// let conn = try await Net.dial("tcp", "127.0.0.1:8080")
/// defer { try? conn.close() }
/// try await conn.write(Array("hello\n".utf8))
/// let reply = try await conn.read(upTo: 4096)   // [] means the peer closed
/// ```
public protocol Conn: AnyObject, Sendable {
    /// Reads at least one byte into `buffer`, waiting if none is available; returns 0 at end of
    /// stream (or for an empty buffer).
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int
    /// Writes all of `bytes`, waiting while the socket buffer is full.
    func write(_ bytes: [UInt8]) async throws
    /// Closes the connection; a blocked read or write fails with `ErrClosed`. A second close
    /// throws.
    func close() throws
    /// The local address, if known.
    var localAddr: (any Addr)? { get }
    /// The remote address, if known.
    var remoteAddr: (any Addr)? { get }
    /// Sets both deadlines: Go's `SetDeadline`. nil clears; a past instant fails pending and
    /// later calls with `i/o timeout`; moving it later makes the conn usable again.
    func setDeadline(_ t: ContinuousClock.Instant?) throws
    /// Sets the deadline of reads only.
    func setReadDeadline(_ t: ContinuousClock.Instant?) throws
    /// Sets the deadline of writes only.
    func setWriteDeadline(_ t: ContinuousClock.Instant?) throws
}

extension Conn {
    /// Reads up to `maxLength` bytes as a new array: `[]` at end of stream.
    ///
    /// ```swift
    /// while case let chunk = try await conn.read(upTo: 4096), !chunk.isEmpty { ... }
    /// ```
    public func read(upTo maxLength: Int) async throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(maxLength, 0), alignment: 1)
        defer { buffer.deallocate() }
        let n = try await read(into: buffer)
        return Array(buffer[..<n])
    }

    /// Reads until end of stream: Go's `io.ReadAll`.
    public func readAll() async throws -> [UInt8] {
        var all: [UInt8] = []
        while case let chunk = try await read(upTo: 32 * 1024), !chunk.isEmpty { all += chunk }
        return all
    }

    /// Writes a string as UTF-8.
    public func write(_ string: String) async throws {
        try await write(Array(string.utf8))
    }
}

/// A packet-oriented network endpoint: Go's `net.PacketConn`.
///
/// ```swift
/// let pc = try await Net.listenPacket("udp", "127.0.0.1:0")
/// var buf = [UInt8](repeating: 0, count: 1500)
/// let (n, from) = try await pc.readFrom(&buf)
/// try await pc.writeTo(Array(buf[..<n]), from!)
/// ```
public protocol PacketConn: AnyObject, Sendable {
    /// Reads one packet into `buffer` (the excess of a longer one is dropped) and returns its
    /// length and sender (nil if the sender is unnamed).
    func readFrom(_ buffer: inout [UInt8]) async throws -> (n: Int, addr: (any Addr)?)
    /// Sends one packet to `addr`; returns the bytes sent.
    @discardableResult
    func writeTo(_ bytes: [UInt8], _ addr: any Addr) async throws -> Int
    func close() throws
    var localAddr: (any Addr)? { get }
    func setDeadline(_ t: ContinuousClock.Instant?) throws
    func setReadDeadline(_ t: ContinuousClock.Instant?) throws
    func setWriteDeadline(_ t: ContinuousClock.Instant?) throws
}

/// A stream listener: Go's `net.Listener`, and an `AsyncSequence` of accepted connections that
/// ends when the listener is closed.
///
/// ```swift
/// let ln = try await Net.listen("tcp", ":8080")
/// for try await conn in ln {
///     Task(executorPreference: conn.executor) { await handle(conn) }   // Go's `go handle(c)`
/// }
/// ```
public protocol Listener: AsyncSequence, AnyObject, Sendable where Element == any Conn, AsyncIterator == AcceptIterator {
    /// Waits for and returns the next connection.
    func accept() async throws -> any Conn
    /// Stops listening; a blocked accept fails with `ErrClosed`.
    func close() throws
    /// The listener's address.
    var addr: any Addr { get }
}

extension Listener {
    public func makeAsyncIterator() -> AcceptIterator {
        AcceptIterator(accept: { try await self.accept() })
    }
}

/// Accepts connections for `for try await conn in listener`; finishes when the listener closes.
public struct AcceptIterator: AsyncIteratorProtocol {
    let accept: @Sendable () async throws -> any Conn

    public mutating func next() async throws -> (any Conn)? {
        do {
            return try await accept()
        } catch let error as OpError where error.isClosed {
            return nil
        }
    }
}
