// HandlerTasks, serve's record of running handlers: the orders its calls can come in when a
// handler runs on another poller's thread, and cancellation that reaches handlers started later.
@testable import Net
@testable import NetPoll
import Synchronization
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct HandlerTasksTests {
    /// A handler can finish before `record` runs: no handle is kept for it.
    @Test func aHandlerThatFinishesBeforeItIsRecordedLeavesNoHandle() async {
        let handlers = HandlerTasks()
        let id = handlers.start()
        let task = Task<Void, any Error> {}
        _ = await task.result
        handlers.finish(id)
        handlers.record(id, task, cover: nil)
        #expect(handlers.recordedCount == 0)
        await handlers.waitForAll()
    }

    /// The usual order: recorded while running, dropped when it finishes.
    @Test func aRecordedHandlerIsDroppedWhenItFinishes() async {
        let handlers = HandlerTasks()
        let id = handlers.start()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let task = Task<Void, any Error> {
            for await _ in gate {}
            handlers.finish(id)
        }
        handlers.record(id, task, cover: nil)
        #expect(handlers.recordedCount == 1)
        open.finish()
        await handlers.waitForAll()
        #expect(handlers.recordedCount == 0)
    }

    /// Ids are slots reused once a handler has both finished and been recorded, in either order:
    /// a reused id never makes cancelAll reach a finished handler or miss a running one.
    @Test func idsAreReusedOnlyOnceFinishedAndRecorded() async {
        let handlers = HandlerTasks()
        let parked = { Task<Void, any Error> { try await Task.sleep(for: .seconds(30)) } }
        let a = handlers.start()
        handlers.finish(a)                    // before its record: a is not free yet
        let b = handlers.start()
        #expect(b != a)
        let finishedA = parked()
        handlers.record(a, finishedA, cover: nil)         // now a is free, and its task is not kept
        let runningB = parked()
        handlers.record(b, runningB, cover: nil)
        let c = handlers.start()
        #expect(c == a, "the freed slot is reused")
        let runningC = parked()
        handlers.record(c, runningC, cover: nil)
        #expect(handlers.recordedCount == 2)
        handlers.cancelAll()
        #expect(runningB.isCancelled && runningC.isCancelled)
        #expect(!finishedA.isCancelled, "a finished handler's task is not reached")
        finishedA.cancel()
        handlers.finish(b)
        handlers.finish(c)
        #expect(handlers.recordedCount == 0)
        await handlers.waitForAll()
    }

    /// After cancelAll, a handler recorded later is cancelled at once.
    @Test func aHandlerRecordedAfterCancelAllIsCancelled() async {
        let handlers = HandlerTasks()
        handlers.cancelAll()
        let id = handlers.start()
        let task = Task<Void, any Error> {
            let giveUp = ContinuousClock.now + .seconds(5)   // a missed cancel fails, not hangs
            while !Task.isCancelled && ContinuousClock.now < giveUp { await Task.yield() }
            handlers.finish(id)
        }
        handlers.record(id, task, cover: nil)
        await handlers.waitForAll()
        #expect(task.isCancelled)
    }

    /// A handler whose read parks covered has no cancellation handler to wake it: recorded
    /// after cancelAll, `record` wakes it, as cancelAll wakes those recorded before.
    @Test func aCoveredReadRecordedAfterCancelAllIsWoken() async throws {
        let (a, b) = try pollPair()
        defer { try? a.close(); try? b.close() }
        let handlers = HandlerTasks()
        handlers.cancelAll()
        let id = handlers.start()
        let failure = Mutex<PollError?>(nil)
        let task = Task<Void, any Error> {
            let covered = a.desc.beginCovering()
            defer {
                if covered { a.desc.endCovering() }
                handlers.finish(id)
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
            defer { buffer.deallocate() }
            do throws(PollError) {
                _ = try await a.read(into: buffer)
            } catch {
                failure.withLock { $0 = error }
            }
        }
        _ = await sleepUntil { a.desc.parked(.read) != .nobody }
        #expect(a.desc.parked(.read) == .covered)
        handlers.record(id, task, cover: a.desc)
        // A read nothing wakes fails the test with .closing, not a hang.
        await closing(a, after: .seconds(5)) { await handlers.waitForAll() }
        #expect(task.isCancelled)
        #expect(failure.withLock { $0 } == .canceled)
    }
}
