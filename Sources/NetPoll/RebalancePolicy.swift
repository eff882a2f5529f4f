// When Placement's imbalance limit should stop giving connections away.
//
// The limit hands a new connection to the least loaded poller when the accepting one holds
// `imbalanceLimit` more fds, so that connections made in a busy spell, when every connection
// stays local, do not all end up on one thread. That pays only for a connection that stays: a
// short one closes before it evens anything out, and costs a cross-thread wake-up on the way.
// The case that shows it: 10,000 idle connections made while no CPU was spare end at the limit's
// edge (the accepting poller 13-16 ahead, as the limit leaves them), so a few short connections
// at a time push the accepting poller over it again and again, and about every other one was
// handed away: unix connect+echo+close beside them ran at 33k-43k conns/s on the 2-CPU VM,
// against 54k-56k with every one kept local.
//
// So the limit keeps count, as SpinPolicy does for spinning: a run of connections given away
// that all closed within `shortLifetime` raises a slack, extra imbalance tolerated before the
// next is given away, doubling while such runs continue. The slack halves every `halfLife`,
// so the limit is tried again from time to time, and Placement never lets it exceed an eighth
// of the least loaded poller's fds: connections that do stay are still spread, within that.
// A connection given away that lives longer ends a run; nothing is known of it until it closes.

/// Placement's record of whether giving connections away to even out the pollers has paid off
/// lately. One per process (behind a lock in PollerGroup); pure, for tests.
struct RebalancePolicy {
    /// A connection given away that closes sooner than this evened nothing out for long.
    static let shortLifetime: Duration = .seconds(1)
    /// Short-lived ones in a row that raise the slack: one or two are noise, a probe
    /// connection or a health check among long-lived ones.
    static let shortInARow = 4
    /// How fast the slack wears off.
    static let halfLife: Duration = .seconds(1)
    /// The slack is kept below this, so doubling it cannot overflow (Placement's cap applies
    /// long before).
    static let largestSlack = 1 << 30

    /// Imbalance tolerated beyond the limit, as of `decayedAt`.
    private(set) var slack = 0
    private var decayedAt = PollTime.now
    private var shortRun = 0

    /// The slack at `now`, after halving it once per `halfLife` passed.
    mutating func slack(at now: PollTime) -> Int {
        guard slack > 0 else { return 0 }
        let elapsed = decayedAt.duration(to: now)
        guard elapsed >= Self.halfLife else { return slack }
        let halvings = Int(elapsed / Self.halfLife)
        slack = halvings >= Int.bitWidth ? 0 : slack >> halvings
        decayedAt = decayedAt + Self.halfLife * halvings
        return slack
    }

    /// A connection given away by the limit closed after `lifetime`.
    mutating func givenAwayClosed(after lifetime: Duration, at now: PollTime) {
        guard lifetime < Self.shortLifetime else {
            shortRun = 0
            return
        }
        shortRun += 1
        guard shortRun >= Self.shortInARow else { return }
        shortRun = 0
        slack = Swift.min(slack(at: now) * 2 + Placement.imbalanceLimit, Self.largestSlack)
        decayedAt = now
    }
}
