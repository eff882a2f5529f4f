// Go's `for { c, _ := l.Accept(); go handle(c) }`, with each connection's task on the poller that
// owns its fd, so the connection's reads resume on that thread with no hop (DESIGN.md).

extension Listener {
    /// Accepts connections until the listener is closed, running `handler` for each in its
    /// own task, preferring the poller that owns the connection's fd. The connection is closed
    /// when its handler returns or throws (a handler's error ends only its own connection).
    /// Returns when the listener is closed and every handler has finished; throws any other
    /// accept error.
    ///
    /// ```swift
    /// let ln = try await Net.listen("tcp", ":8080")
    /// try await ln.serve { conn in
    ///     defer { try? conn.close() }
    ///     while case let chunk = try await conn.read(upTo: 4096), !chunk.isEmpty {
    ///         try await conn.write(chunk)
    ///     }
    /// }
    /// ```
    ///
    /// A handler that burns CPU holds up its poller's other connections, as on any event loop;
    /// move heavy work elsewhere (`Task.detached`, or a task without the executor preference).
    public func serve(_ handler: @escaping @Sendable (any Conn) async throws -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for try await conn in self {
                let executor = (conn as? SocketConn)?.executor
                group.addTask(executorPreference: executor) {
                    defer { try? conn.close() }
                    try? await handler(conn)
                }
            }
        }
    }
}
