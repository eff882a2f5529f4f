// A point in ContinuousClock's time, as NetPoll stores deadlines and timers: the Duration since
// an origin instant taken once per process.
//
// Why not store ContinuousClock.Instant itself: it is not @frozen, so outside the standard
// library its size is known only at run time, and so is the size of every struct that holds
// one (a PollDesc direction, a timer heap entry). Each copy of such a struct then goes through
// its type's value witnesses, after a metadata lookup, and in an async function each temporary
// copy is allocated from the task allocator: parking a read in PollDesc.wait cost five task
// allocations that way. Duration is @frozen (two integers), so a struct of these is plain data.
// Instants are converted once, where a deadline enters NetPoll.
package struct PollTime: Comparable, Sendable {
    /// How long after `origin` this point is (negative before it).
    private let sinceOrigin: Duration

    /// Any fixed instant would do: differences are all that is ever used.
    private static let origin = ContinuousClock.now

    private init(sinceOrigin: Duration) {
        self.sinceOrigin = sinceOrigin
    }

    /// The same point as `instant`.
    package init(_ instant: ContinuousClock.Instant) {
        sinceOrigin = Self.origin.duration(to: instant)
    }

    /// The current time. (The origin is read first: on the process's first call, reading the
    /// clock first would put "now" before the origin.)
    package static var now: PollTime {
        let origin = Self.origin
        return PollTime(sinceOrigin: origin.duration(to: .now))
    }

    /// This point in nanoseconds since the origin (wrapping after 292 years), to keep in an
    /// Atomic.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = sinceOrigin.components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }

    /// The time from this point to `later` (negative if `later` is earlier).
    package func duration(to later: PollTime) -> Duration {
        later.sinceOrigin - sinceOrigin
    }

    package static func + (t: PollTime, d: Duration) -> PollTime {
        PollTime(sinceOrigin: t.sinceOrigin + d)
    }

    package static func < (a: PollTime, b: PollTime) -> Bool {
        a.sinceOrigin < b.sinceOrigin
    }
}
