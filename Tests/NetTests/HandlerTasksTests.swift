// HandlerTasks, serve's record of running handlers: the orders its calls can come in when a
// handler runs on another poller's thread, and cancellation that reaches handlers started later.
@testable import Net
import Testing

struct HandlerTasksTests {
    /// A handler can finish before `record` runs: no handle is kept for it.
    @Test func aHandlerThatFinishesBeforeItIsRecordedLeavesNoHandle() async {
        let handlers = HandlerTasks()
        let id = handlers.start()
        let task = Task<Void, any Error> {}
        _ = await task.result
        handlers.finish(id)
        handlers.record(id, task)
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
        handlers.record(id, task)
        #expect(handlers.recordedCount == 1)
        open.finish()
        await handlers.waitForAll()
        #expect(handlers.recordedCount == 0)
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
        handlers.record(id, task)
        await handlers.waitForAll()
        #expect(task.isCancelled)
    }
}
