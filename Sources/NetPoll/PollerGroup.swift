// The process's netpollers: one per CPU the process may use, started on first use and kept for the life of
// the process, as Go's runtime keeps its netpoller. New fds are spread across them in turn;
// accepted connections may stay with their listener's poller instead (Placement).
import Synchronization

package enum PollerGroup {
    /// The pollers made so far; nil until the first use.
    private static let pollers = Mutex<[Poller]?>(nil)
    private static let nextIndex = Atomic<Int>(0)

    /// Every poller, starting them on first use (each opens an epoll fd and an eventfd). If some
    /// cannot be made (say the process is out of fds), the ones that could be are used; if none
    /// can, the error is thrown and the next call tries again. Never a crash.
    package static func all() throws(PollError) -> [Poller] {
        try pollers.withLock { (made) throws(PollError) -> [Poller] in
            if let made { return made }
            let wanted = CPUs.allowed
            var started: [Poller] = []
            var failure: PollError?
            for i in 0..<wanted {
                do throws(PollError) {
                    started.append(try Poller(name: "netpoll-\(i)"))
                } catch {
                    failure = error
                    break
                }
            }
            guard !started.isEmpty else { throw failure ?? .errno(.EMFILE) }
            made = started
            return started
        }
    }

    /// The poller for a new fd: round robin.
    package static func next() throws(PollError) -> Poller {
        let pollers = try all()
        let i = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
        return pollers[i % pollers.count]
    }

    /// Starts the pollers now rather than on first use (tests do this before counting fds).
    package static func start() {
        _ = try? all()
    }
}
