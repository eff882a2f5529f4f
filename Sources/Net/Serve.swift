// Go's `for { c, _ := l.Accept(); go handle(c) }`, with each connection's task on the poller that
// owns its fd, so the connection's reads resume on that thread with no hop (DESIGN.md), and with
// Go's back-off when accept fails for a passing reason such as running out of fds.

/// A listener whose fd belongs to a poller: the ones SwiftNet makes. (Connections are all
/// `SocketConn`s.)
protocol PollerOwned {
    var executor: any TaskExecutor { get }
}

extension TCPListener: PollerOwned {}
extension UnixListener: PollerOwned {}

extension Listener {
    /// Accepts connections until the listener is closed, running `handler` for each in its
    /// own task, preferring the poller that owns the connection's fd (the accept loop itself runs
    /// on the listener's poller). The connection is closed when its handler returns or throws; a
    /// handler's error ends only its own connection.
    ///
    /// A temporary accept error (too many open files, for one) does not stop the server: as Go's
    /// `http.Server` does, it waits 5 ms, doubling up to 1 s while the error lasts, and accepts
    /// again. Returns when the listener is closed and every handler has finished; throws any
    /// other accept error, or when the serving task is cancelled. Cancelling the serving task
    /// cancels every handler (a parked read or write fails at once), and `serve` throws only
    /// after the last handler has returned.
    ///
    /// ```swift
    /// let ln = try await Net.listen("tcp", ":8080")
    /// try await ln.serve { conn in
    ///     while case let chunk = try await conn.read(upTo: 4096), !chunk.isEmpty {
    ///         try await conn.write(chunk)
    ///     }
    /// }
    /// ```
    ///
    /// A handler that burns CPU holds up its poller's other connections, as on any event loop;
    /// move heavy work elsewhere (`Task.detached`, or a task without the executor preference).
    public func serve(_ handler: @escaping @Sendable (any Conn) async throws -> Void) async throws {
        let handlers = HandlerTasks()
        do {
            try await withTaskExecutorPreference((self as? any PollerOwned)?.executor) {
                try await acceptLoop(handler, handlers)
            }
        } catch {
            // As a task group's body that throws: cancel the handlers, wait for them, rethrow.
            // Cancelling the serving task lands here at once: accept is cancellable.
            handlers.cancelAll()
            await handlers.waitForAll()
            throw error
        }
        await handlers.waitForAll()
    }

    private func acceptLoop(_ handler: @escaping @Sendable (any Conn) async throws -> Void, _ handlers: HandlerTasks) async throws {
        var backoff = Duration.zero
        while true {
            let conn: any Conn
            do {
                conn = try await accept()
                backoff = .zero
            } catch let error as OpError where error.isClosed {
                return
            } catch let error as any NetError where error.temporary {
                backoff = backoff == .zero ? .milliseconds(5) : Swift.min(backoff * 2, .seconds(1))
                try await Task.sleep(for: backoff)
                continue
            }
            // Unstructured tasks tracked by HandlerTasks rather than a task group's children:
            // see HandlerTasks for why.
            let id = handlers.start()
            // A throwing task, though nothing reads its error: the standard library hands a
            // throwing operation to the runtime as it is, while a non-throwing one is first
            // wrapped in a thunk, one more allocation and async frame per connection.
            // A class cast, not `as? any PollerOwned`: a cast to a protocol existential looks
            // the conformance up in the runtime's cache, on every accept.
            let socketConn = conn as? SocketConn
            let cover = socketConn?.fd.pfd.desc
            let task = Task<Void, any Error>(executorPreference: socketConn?.executor) {
                // The handler's waits on its connection park with no cancellation handler
                // each, nor one for the task: this task's handle is only in `handlers`, whose
                // cancelAll wakes them (PollDesc.beginCovering).
                let covered = cover?.beginCovering() ?? false
                defer {
                    if covered { cover?.endCovering() }
                    try? conn.close()
                    handlers.finish(id)
                }
                try await handler(conn)
            }
            handlers.record(id, task, cover: cover)
        }
    }
}
