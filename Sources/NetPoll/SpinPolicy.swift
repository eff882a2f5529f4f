// When a poller that just ran jobs should busy-poll before it sleeps.
//
// Spinning pays when the peer answers from another CPU within the window: the answer is caught
// without the tens of microseconds a VM takes to wake a sleeping thread (one unix connection
// unpinned on the 2-CPU VM: about 50k round trips/s spinning, 20k sleeping at once). It costs a
// whole window each time the peer answers later: a client that sends a request every
// millisecond would have the poller burn 5% of a CPU for nothing. And a poller that spins keeps
// its CPU busy, so a peer woken by our write cannot be placed beside us (a unix socket's write
// wakes the reader with the scheduler's "sync" hint, honoured only when the writer's CPU is
// about to go idle); a poller that sleeps at once lets the two settle on one CPU.
//
// So a poller keeps count: a spin that catches work keeps it spinning; a run of spins that all
// missed pauses spinning for a number of idle periods, doubling while retries keep missing.
// Linux's haltpoll cpuidle governor adapts its poll window from the same evidence.

/// The state behind a poller's choice to spin or sleep. Owned by the poller thread.
struct SpinPolicy {
    /// Spins in a row that must miss before spinning pauses: one miss is noise (a reply that
    /// came just late, or the end of a burst).
    static let missesBeforePause = 4
    /// Idle periods without spinning after the first run of misses.
    static let firstPause = 64
    /// The longest pause: retrying then costs a few windows in thousands of idle periods.
    static let longestPause = 8192

    private var misses = 0
    private var pauseLeft = 0
    private var nextPause = SpinPolicy.firstPause

    /// Whether to spin in this idle period. A paused policy counts the period down instead.
    mutating func shouldSpin() -> Bool {
        if pauseLeft > 0 {
            pauseLeft -= 1
            return false
        }
        return true
    }

    /// The spin caught work: spinning pays, so any later pause starts short again.
    mutating func caught() {
        misses = 0
        nextPause = Self.firstPause
    }

    /// The spin's window passed with no work.
    mutating func missed() {
        misses += 1
        guard misses >= Self.missesBeforePause else { return }
        misses = 0
        pauseLeft = nextPause
        nextPause = Swift.min(nextPause * 2, Self.longestPause)
    }
}
