// The poller's deadline timers: a binary min-heap ordered by time.
//
// Moving or clearing a deadline does not search the heap; it bumps the direction's sequence
// number, and the old entry is dropped when it comes due (or when the heap is compacted, so a
// program that pushes a deadline forward on every read does not grow the heap without bound).
struct TimerHeap {
    struct Entry {
        let when: PollTime
        let desc: PollDesc
        let direction: PollDesc.Direction
        let sequence: UInt64
    }

    private var entries: [Entry] = []
    /// Pushes since the last compaction: a cheap upper bound on how many entries may be stale.
    private var pushesSinceCompaction = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: PollTime? { entries.first?.when }

    mutating func push(_ e: Entry) {
        entries.append(e)
        siftUp(entries.count - 1)
        pushesSinceCompaction += 1
        if pushesSinceCompaction > 4096 && pushesSinceCompaction > entries.count / 2 { compact() }
    }

    /// Removes and returns every entry due at or before `now`.
    mutating func popDue(_ now: PollTime) -> [Entry] {
        var due: [Entry] = []
        while let first = entries.first, first.when <= now {
            due.append(first)
            let last = entries.removeLast()
            if !entries.isEmpty {
                entries[0] = last
                siftDown(0)
            }
        }
        return due
    }

    /// Drops entries whose deadline has since moved, then rebuilds the heap.
    private mutating func compact() {
        entries.removeAll { !$0.desc.timerIsCurrent($0.direction, $0.sequence) }
        for i in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        pushesSinceCompaction = 0
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            if entries[parent].when <= entries[i].when { return }
            entries.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < entries.count && entries[l].when < entries[smallest].when { smallest = l }
            if r < entries.count && entries[r].when < entries[smallest].when { smallest = r }
            if smallest == i { return }
            entries.swapAt(i, smallest)
            i = smallest
        }
    }
}
