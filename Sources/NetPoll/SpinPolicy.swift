// When a poller that just ran jobs should busy-poll before it sleeps.
//
// Spinning pays when the peer answers from another CPU within the window: the reply is caught
// without the tens of microseconds a VM takes to wake a sleeping thread. It costs when the peer
// answers later, and worse, it can keep the peer slow: a unix socket's write wakes the reader
// with a "sync" hint, and the scheduler places the reader beside the writer only if the
// writer's CPU is about to go idle. A poller that spins keeps its CPU busy, so the reader is
// woken on the other CPU, from idle, every time, and the answer comes after the window has
// passed. Measured on the 2-CPU VM, one unix connection unpinned: every spin missed, and
// sleeping at once let the two threads settle on one CPU (Go's server does the same, since an
// idle M sleeps after a few microseconds of looking for work).
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
