// Bounding a wait in a test: a behaviour that hangs fails the test instead of the whole run.

/// A wait that took longer than the test allows: the behaviour under test hung.
public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public init(what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }
    public var description: String { "\(what) did not finish within \(limit)" }
}

/// Runs `body`, throwing ``TimedOut`` (and cancelling `body`) if it has not finished after
/// `limit`. NetPoll wakes a parked operation when its task is cancelled, so a hung dial, accept
/// or read is released and the test fails instead of hanging.
///
/// ```swift
/// let conn = try await withTimeLimit(.seconds(10), "accept") { try await ln.accept() }
/// ```
public func withTimeLimit<R: Sendable>(
    _ limit: Duration = .seconds(10), _ what: String = "operation",
    _ body: @escaping @Sendable () async throws -> R
) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimedOut(what: what, limit: limit)
        }
        return value
    }
}
