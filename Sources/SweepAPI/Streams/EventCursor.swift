/// Which event ids are safe to deliver. Ids come from a sequence, but transactions commit out of id order: id 100
/// may become visible after 101. Delivering 101 first would let a client that resumes with Last-Event-ID 101 miss
/// 100 forever, so events after a gap wait until the gap fills, or until it is old enough that the transaction
/// that took the id must have rolled back.
struct EventCursor {
    /// Every id up to this one has been seen (or given up on).
    private(set) var contiguous: Int64
    private var pending: [Int64: StoredEventRow] = [:]
    private var gapSince: ContinuousClock.Instant? = nil
    let gapTimeout: Duration

    init(start: Int64, gapTimeout: Duration = .seconds(2)) {
        contiguous = start
        self.gapTimeout = gapTimeout
    }

    /// Accepts fetched rows; returns those now deliverable, in id order.
    mutating func accept(_ rows: [StoredEventRow], now: ContinuousClock.Instant) -> [StoredEventRow] {
        for row in rows where row.id > contiguous { pending[row.id] = row }
        var ready: [StoredEventRow] = []
        while true {
            if let next = pending.removeValue(forKey: contiguous + 1) {
                ready.append(next)
                contiguous += 1
                gapSince = nil
                continue
            }
            guard let lowest = pending.keys.min() else { gapSince = nil; break }
            // A gap before `lowest`: wait for it, up to the timeout.
            let since = gapSince ?? now
            gapSince = since
            guard now - since >= gapTimeout else { break }
            contiguous = lowest - 1
        }
        return ready
    }

    /// Drops the events held back behind a gap; the next fetch (after `contiguous`) reads them again.
    mutating func forgetPending() {
        pending.removeAll()
        gapSince = nil
    }

    /// True while later events wait on a gap (the hub then re-reads soon).
    var isWaitingOnGap: Bool { !pending.isEmpty }
}
