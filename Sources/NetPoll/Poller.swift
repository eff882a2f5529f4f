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
//
// An fd can move to another poller while a task that prefers this one waits on it (Balancer).
// Its wake-up then comes from the other poller's thread, which enqueues the task's job here: that
// thread runs the job itself, under this executor's identity, as Go runs a goroutine on the P
// whose netpoll readied it. So a moved fd costs no hop per operation, and the runtime, seeing the
// preferred executor, does not hop either.
import Glibc
import Synchronization
import Syscall

package final class Poller: TaskExecutor, @unchecked Sendable {
    // @unchecked: `events` and `localJobs` are touched only by the poller thread; everything
    // else is behind a Mutex or an Atomic. The poller-thread-only vars are
    // `@exclusivity(unchecked)`: a class's var is otherwise checked at run time on every access
    // (swift_beginAccess and swift_endAccess, with a thread-local lookup), about 40
    // instructions on each job queued, and only one thread ever touches them.

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
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    /// Jobs of other pollers that this thread's events and timers resumed, with the executor
    /// each is to run as. Poller thread only.
    @exclusivity(unchecked) private var adoptedJobs: [(job: UnownedJob, executor: UnownedTaskExecutor)] = []
    /// True while the poller thread delivers events and fires timers. Poller thread only.
    @exclusivity(unchecked) private var delivering = false
    /// The Balancer epoch as of this thread's last epoll_wait, stamped on each fd with an event.
    @exclusivity(unchecked) private var epoch: UInt8 = 0
    /// The poller thread's pthread_t, set once it starts; 0 before.
    private let thread = Atomic<UInt>(0)
    /// True while the thread is in (or about to enter) a blocking epoll_wait: whoever queues
    /// work then must write the eventfd.
    private let sleeping = Atomic<Bool>(false)
    /// The fds registered now: Placement balances accepted connections by it.
    private let registrations = Atomic<Int>(0)
    /// Whether spinning has been catching work lately. Poller thread only.
    @exclusivity(unchecked) private var spinPolicy = SpinPolicy()
    /// The poller thread's id (as in /proc/self/task), for Balancer's load readings; 0 before
    /// it starts.
    private let threadID = Atomic<Int32>(0)

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
    /// (EPOLLPRI, which tells reads they may stop short: EmptyReadHint).
    package func register(_ fd: Int32) throws(PollError) -> PollDesc {
        let token = registry.withLock { $0.reserve() }
        let desc = PollDesc(fd: fd, poller: self, slot: token.slot, generation: token.generation)
        do {
            try add(fd, desc, token)
        } catch {
            throw PollError(error)
        }
        FDTable.noteRegistered(fd)
        return desc
    }

    /// Registers an fd moving here from another poller (PollDesc.move); nil if epoll_ctl fails.
    func adopt(_ fd: Int32, _ desc: PollDesc) -> (slot: UInt32, generation: UInt32)? {
        let token = registry.withLock { $0.reserve() }
        do {
            try add(fd, desc, token)
        } catch {
            return nil
        }
        return token
    }

    /// Fills the reserved slot with `desc` and adds `fd` to the epoll set under its token; on
    /// failure the slot is released.
    private func add(_ fd: Int32, _ desc: PollDesc, _ token: (slot: UInt32, generation: UInt32)) throws(Errno) {
        registry.withLock { $0.fill(token.slot, with: desc) }
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
            throw error
        }
        registrations.add(1, ordering: .relaxed)
    }

    /// How many fds are registered with this poller.
    package var registrationCount: Int { registrations.load(ordering: .relaxed) }

    /// Frees the slot of an fd about to be closed or moved (PollDesc holds its lock). close(2)
    /// itself removes the fd from epoll when it drops the last reference to the open file, so
    /// EPOLL_CTL_DEL, a system call per connection, is made only when `removeFromEpoll` says a
    /// duplicate may keep the file open (or the fd moves). Should one be missed, the stale
    /// registration's events carry a freed slot's old generation and are dropped.
    func unregister(_ fd: Int32, slot: UInt32, removeFromEpoll: Bool) {
        if removeFromEpoll {
            try? Syscall.epollCtl(epfd, EPOLL_CTL_DEL, fd, EpollEvent(events: 0, data: 0))
        }
        registry.withLock { $0.release(slot) }
        registrations.subtract(1, ordering: .relaxed)
    }

    /// The fds registered here that had an event in Balancer epoch `epoch` or the one before.
    func busyDescs(inEpoch epoch: UInt8) -> [PollDesc] {
        registry.withLock { $0.all.filter { $0.busy(inEpoch: epoch) } }
    }

    /// The poller thread's id, 0 until the thread has started.
    var threadIDForLoad: Int32 { threadID.load(ordering: .relaxed) }

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
        if let host = Self.delivering() {
            // An fd moved to `host` woke a task that prefers us: run it there, as us.
            host.adoptedJobs.append((job, asUnownedTaskExecutor()))
            return
        }
        jobs.withLock { $0.append(job) }
        wake()
    }

    /// The poller whose thread this is, while it delivers events and fires timers; else nil.
    private static func delivering() -> Poller? {
        guard let p = pthread_getspecific(threadKey) else { return nil }
        let poller = Unmanaged<Poller>.fromOpaque(p).takeUnretainedValue()
        return poller.delivering ? poller : nil
    }

    /// The key under which each poller thread stores its Poller.
    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create")
        return key
    }()

    /// Whether the caller runs on this poller's own thread.
    package var isPollerThread: Bool {
        UInt(pthread_self()) == thread.load(ordering: .relaxed)
    }

    /// Whether any job waits to run (poller thread only).
    private var hasQueuedJobs: Bool {
        !localJobs.isEmpty || !adoptedJobs.isEmpty || jobs.withLock { !$0.isEmpty }
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
        threadID.store(currentThreadID(), ordering: .relaxed)
        pthread_setspecific(Self.threadKey, Unmanaged.passUnretained(self).toOpaque())
        nameThisThread()
        let executor = asUnownedTaskExecutor()
        // Buffers swapped with the queues, so taking a batch allocates nothing once warm.
        var batch: [UnownedJob] = []
        var adopted: [(job: UnownedJob, executor: UnownedTaskExecutor)] = []
        batch.reserveCapacity(256)
        localJobs.reserveCapacity(256)
        while true {
            swap(&localJobs, &batch)
            swap(&adoptedJobs, &adopted)
            jobs.withLock { queued in
                batch.append(contentsOf: queued)
                queued.removeAll(keepingCapacity: true)
            }
            for job in batch { job.runSynchronously(on: executor) }
            for (job, executor) in adopted { job.runSynchronously(on: executor) }
            let didWork = !batch.isEmpty || !adopted.isEmpty
            batch.removeAll(keepingCapacity: true)
            adopted.removeAll(keepingCapacity: true)
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

    /// This thread's id, from the link /proc/thread-self ("PID/task/TID"); 0 if unreadable.
    /// (gettid(2) is another GNU extension Swift's Glibc module hides.)
    private func currentThreadID() -> Int32 {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard n > 0 else { return 0 }
        let link = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return link.split(separator: "/").last.flatMap { Int32($0) } ?? 0
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
        epoch = Balancer.epoch
        delivering = true
        for i in 0..<n {
            let event = events[i]
            if event.data == Registry.wakerToken {
                _ = try? Syscall.eventfdRead(wakefd)
                continue
            }
            let desc = registry.withLock { $0.lookup(event.data) }
            desc?.notify(event.events, epoch: epoch)
        }
        let now = PollTime.now
        fireDueTimers(now)
        delivering = false
        Balancer.tickIfDue(now)
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

    private func fireDueTimers(_ now: PollTime) {
        let due = timers.withLock { $0.popDue(now) }
        for t in due { t.desc.timerFired(t.direction, t.sequence) }
    }
}
