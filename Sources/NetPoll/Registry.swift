// The poller's table of registered fds. Epoll user data is a slot number and a generation,
// never a pointer: an event still queued for an fd that has since been closed (and whose number
// may already belong to a new socket) carries an old generation and is dropped.
struct Registry {
    private var descs: [PollDesc?] = []
    private var generations: [UInt32] = []
    private var free: [UInt32] = []

    /// Reserves a slot; the caller creates its PollDesc with the returned token, then `fill`s it.
    mutating func reserve() -> (slot: UInt32, generation: UInt32) {
        if let slot = free.popLast() {
            return (slot, generations[Int(slot)])
        }
        descs.append(nil)
        generations.append(1)
        return (UInt32(descs.count - 1), 1)
    }

    mutating func fill(_ slot: UInt32, with desc: PollDesc) {
        descs[Int(slot)] = desc
    }

    /// Every registered PollDesc.
    var all: [PollDesc] { descs.compactMap { $0 } }

    /// Frees a slot; its generation moves on so stale events no longer match.
    mutating func release(_ slot: UInt32) {
        descs[Int(slot)] = nil
        generations[Int(slot)] &+= 1
        if generations[Int(slot)] == 0 { generations[Int(slot)] = 1 }
        free.append(slot)
    }

    func lookup(_ token: UInt64) -> PollDesc? {
        let slot = Int(token & 0xFFFF_FFFF)
        let generation = UInt32(truncatingIfNeeded: token >> 32)
        guard slot < descs.count, generations[slot] == generation else { return nil }
        return descs[slot]
    }

    static func token(_ slot: UInt32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(slot)
    }

    /// The token of the poller's own eventfd; generations start at 1, so no fd has it.
    static let wakerToken: UInt64 = 0
}
