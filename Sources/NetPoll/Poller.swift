// One netpoller: a thread of its own that waits in epoll_wait(2) for the fds registered with it,
// and a Swift TaskExecutor that runs the jobs of tasks preferring it.
//
// Why both in one thread: a task serving a connection prefers the executor of the poller that
// owns its fd, so when readiness resumes its continuation, the job is queued right here and runs
// on this thread after the events are handled, with no hop to another thread (DESIGN.md: about
// C's rate instead of Go's). Code on any other executor still works, one hop slower.
//
// The loop: run queued jobs; if none remain, sleep in epoll_wait until an fd is ready, the next
// deadline timer is due, or another thread queues a job and writes the eventfd.
import Glibc
import Synchronization
import Syscall

package final class Poller: TaskExecutor, @unchecked Sendable {
    // @unchecked: `events` and `localJobs` are touched only by the poller thread; everything
    // else is behind a Mutex or an Atomic.

    /// A short name for logs and thread names: "netpoll-0".
    package let name: String
    private let epfd: Int32
    private let wakefd: Int32
    private let events = EpollEventBuffer(capacity: 256)
    private let registry = Mutex(Registry())
    private let timers = Mutex(TimerHeap())
    /// Jobs queued by other threads.
    private let jobs = Mutex<[UnownedJob]>([])
    /// Jobs queued by the poller thread itself: the usual case, since readiness resumes the
    /// waiting task from this thread (and its job comes back here). No lock, no wake-up.
    private var localJobs: [UnownedJob] = []
    /// The poller thread's pthread_t, set once it starts; 0 before.
    private let thread = Atomic<UInt>(0)
    /// True while the thread is in (or about to enter) a blocking epoll_wait: whoever queues
    /// work then must write the eventfd.
    private let sleeping = Atomic<Bool>(false)
    /// The fds registered now: Placement balances accepted connections by it.
    private let registrations = Atomic<Int>(0)
    /// Whether spinning has been catching work lately. Poller thread only.
    private var spinPolicy = SpinPolicy()

    /// Creates the epoll instance and eventfd and starts the thread. Pollers live as long as
    /// the process, like Go's netpoller.
    package init(name: String) throws(PollError) {
        self.name = name
        do {
            epfd = try Syscall.epollCreate1(Syscall.EPOLL_CLOEXEC)
        } catch {
            throw PollError(error)
        }
        do {
            wakefd = try Syscall.eventfd(0, Syscall.EFD_CLOEXEC | Syscall.EFD_NONBLOCK)
        } catch {
            try? Syscall.close(epfd)
            throw PollError(error)
        }
        do {
            try Syscall.epollCtl(epfd, EPOLL_CTL_ADD, wakefd, EpollEvent(events: EPOLLIN, data: Registry.wakerToken))
            try startThread()
        } catch {
            try? Syscall.close(wakefd)
            try? Syscall.close(epfd)
            throw PollError(error)
        }
    }

    // MARK: registration

    /// Registers `fd` once, edge-triggered, for input, output, peer shutdown and urgent data
    /// (EPOLLPRI, which tells reads they may stop short: EmptyReadHint). `rebalancing` says
    /// Placement's limit sent it here: its lifetime is reported when it is deregistered.
    package func register(_ fd: Int32, rebalancing: Bool = false) throws(PollError) -> PollDesc {
        let token = registry.withLock { $0.reserve() }
        let desc = PollDesc(poller: self, slot: token.slot, generation: token.generation, rebalancedAt: rebalancing ? PollTime.now.stamp : 0)
        registry.withLock { $0.fill(desc) }
        let event = EpollEvent(events: EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET, data: Registry.token(token.slot, token.generation))
        do {
            do {
                try Syscall.epollCtl(epfd, EPOLL_CTL_ADD, fd, event)
            } catch .EEXIST {
                // This open file is still registered under this number: an earlier fd with the
                // number was closed without EPOLL_CTL_DEL while a duplicate kept the file open,
                // and the number now names that file again. Take the registration over.
                try Syscall.epollCtl(epfd, EPOLL_CTL_MOD, fd, event)
            }
        } catch {
            registry.withLock { $0.release(token.slot) }
            throw PollError(error)
        }
        registrations.add(1, ordering: .relaxed)
        FDTable.noteRegistered(fd)
        return desc
    }

    /// How many fds are registered with this poller.
    package var registrationCount: Int { registrations.load(ordering: .relaxed) }

    /// Frees the slot of an fd about to be closed. close(2) itself removes the fd from epoll
    /// when it drops the last reference to the open file, so EPOLL_CTL_DEL, a system call per
    /// connection, is made only when `removeFromEpoll` says a duplicate may keep the file open.
    /// Should one be missed, the stale registration's events carry a freed slot's old
    /// generation and are dropped.
    package func deregister(_ desc: PollDesc, fd: Int32, removeFromEpoll: Bool) {
        if removeFromEpoll {
            try? Syscall.epollCtl(epfd, EPOLL_CTL_DEL, fd, EpollEvent(events: 0, data: 0))
        }
        registry.withLock { $0.release(desc.slot) }
        registrations.subtract(1, ordering: .relaxed)
        if desc.rebalancedAt != 0 {
            PollerGroup.rebalancedClosed(after: PollTime.now.stampDistance(from: desc.rebalancedAt))
        }
    }

    // MARK: timers

    func addTimer(at when: PollTime, for desc: PollDesc, _ d: PollDesc.Direction, _ sequence: UInt64) {
        let isEarliest = timers.withLock { heap -> Bool in
            let earliest = heap.earliest
            heap.push(TimerHeap.Entry(when: when, desc: desc, direction: d, sequence: sequence))
            return earliest.map { when < $0 } ?? true
        }
        if isEarliest { wake() }
    }

    /// The number of armed timers, stale ones included (for tests).
    package var timerCount: Int { timers.withLock { $0.count } }

    // MARK: TaskExecutor

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isPollerThread {
            localJobs.append(job)
            return
        }
        jobs.withLock { $0.append(job) }
        wake()
    }

    /// Whether the caller runs on this poller's own thread.
    package var isPollerThread: Bool {
        UInt(pthread_self()) == thread.load(ordering: .relaxed)
    }

    /// Whether any job waits to run (poller thread only).
    private var hasQueuedJobs: Bool {
        !localJobs.isEmpty || jobs.withLock { !$0.isEmpty }
    }

    /// Interrupts a blocking epoll_wait, if the thread is in one (or about to be).
    private func wake() {
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            try? Syscall.eventfdWrite(wakefd, 1)
        }
    }

    // MARK: the loop

    /// The thread holds the poller for the life of the process.
    private func startThread() throws(Errno) {
        try startDetachedThread { self.run() }
    }

    private func run() -> Never {
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        nameThisThread()
        let executor = asUnownedTaskExecutor()
        // Buffers swapped with the queues, so taking a batch allocates nothing once warm.
        var batch: [UnownedJob] = []
        batch.reserveCapacity(256)
        localJobs.reserveCapacity(256)
        while true {
            swap(&localJobs, &batch)
            jobs.withLock { queued in
                batch.append(contentsOf: queued)
                queued.removeAll(keepingCapacity: true)
            }
            for job in batch { job.runSynchronously(on: executor) }
            let didWork = !batch.isEmpty
            batch.removeAll(keepingCapacity: true)
            if didWork && Self.spinBeforeSleeping && spinPolicy.shouldSpin() {
                if spinForWork() {
                    spinPolicy.caught()
                    continue
                }
                spinPolicy.missed()
            }
            poll(block: true)
        }
    }

    /// How long a poller that just ran jobs keeps polling without sleeping. Waking a thread on
    /// another CPU costs tens of microseconds on a VM (DESIGN.md): a reply that comes within this
    /// window is caught without that cost. Go's scheduler spins the same way. `SpinPolicy` stops
    /// spinning for a while when it keeps missing.
    static let spinWindow: Duration = .microseconds(50)

    /// Spinning only helps when another CPU can run the peer meanwhile; on one allowed CPU it
    /// would take the CPU the peer needs (Go does not spin with GOMAXPROCS=1 either).
    static let spinBeforeSleeping = CPUs.allowed > 1

    /// Polls without blocking for up to `spinWindow`. Returns true as soon as a job is queued (an
    /// event resumed a waiting task, or another thread queued one), false if the window passed
    /// without work.
    private func spinForWork() -> Bool {
        let until = PollTime.now + Self.spinWindow
        repeat {
            // Jobs, not events: an event may only mark an fd ready with nobody waiting. A unix
            // socket reports EPOLLOUT each time the peer reads our last reply, which would
            // end the spin just before the peer's next request.
            poll(block: false)
            if hasQueuedJobs { return true }
        } while PollTime.now < until
        return false
    }

    /// Shows the poller's name in `top -H`, `ps -L` and debuggers. (pthread_setname_np is a GNU
    /// extension Swift's Glibc module hides; the kernel's own file does the same.)
    private func nameThisThread() {
        guard let fd = try? Syscall.open("/proc/thread-self/comm", Syscall.O_WRONLY | Syscall.O_CLOEXEC, 0) else { return }
        _ = try? Syscall.write(fd, Array(name.prefix(15).utf8))
        try? Syscall.close(fd)
    }

    /// One epoll_wait: non-blocking while jobs are queued (or when `block` is false), otherwise
    /// until the next timer.
    private func poll(block: Bool) {
        var timeout = 0
        if block {
            sleeping.store(true, ordering: .sequentiallyConsistent)
            if hasQueuedJobs {
                sleeping.store(false, ordering: .sequentiallyConsistent)
            } else {
                timeout = millisecondsUntilNextTimer()
            }
        }
        let n = (try? Syscall.epollWait(epfd, events, timeout)) ?? 0
        sleeping.store(false, ordering: .sequentiallyConsistent)
        for i in 0..<n {
            let event = events[i]
            if event.data == Registry.wakerToken {
                _ = try? Syscall.eventfdRead(wakefd)
                continue
            }
            let desc = registry.withLock { $0.lookup(event.data) }
            desc?.notify(event.events)
        }
        fireDueTimers()
    }

    /// epoll_wait's timeout: -1 with no timer, else the time to the earliest one rounded up to
    /// a whole millisecond, so a deadline never fires early.
    private func millisecondsUntilNextTimer() -> Int {
        guard let earliest = timers.withLock({ $0.earliest }) else { return -1 }
        let left = PollTime.now.duration(to: earliest)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(min(ms, Int64(Int32.max)))
    }

    private func fireDueTimers() {
        let due = timers.withLock { $0.popDue(PollTime.now) }
        for t in due { t.desc.timerFired(t.direction, t.sequence) }
    }
}
