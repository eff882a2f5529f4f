// The process's netpollers: one per online CPU, started on first use and kept for the life of
// the process, as Go's runtime keeps its netpoller. New fds are spread across them in turn.
import Glibc
import Synchronization

package enum PollerGroup {
    /// Every poller. Starting them opens two fds each (an epoll instance and an eventfd).
    package static let all: [Poller] = {
        let count = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return (0..<count).map { i in
            do {
                return try Poller(name: "netpoll-\(i)")
            } catch {
                fatalError("NetPoll: cannot create poller \(i): \(error)")
            }
        }
    }()

    private static let nextIndex = Atomic<Int>(0)

    /// The poller for a new fd: round robin.
    package static func next() -> Poller {
        let pollers = all
        let i = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
        return pollers[i % pollers.count]
    }

    /// Starts the pollers now rather than on first use (tests do this before counting fds).
    package static func start() {
        _ = all
    }
}
