/// Rate limits progress reports per run without losing the last one: the first report of a run goes out at once,
/// later ones within `interval` of the last sent replace each other (the latest message wins) and go out when the
/// interval has passed. Pure: the caller passes the clock and does the writing (the API's progress endpoint and
/// the scheduler's `::progress::` lines both use it).
///
/// A caller that writes outside its lock, from more than one thread (the API's coalescer: a request thread and
/// the flushing thread), makes the throttle with `tracksWrites`: a report handed out is then being written until
/// `written(_:now:)`, later reports of that run are held meanwhile, and the interval runs from the write's end. Two
/// writes of one run can then never overlap, so they commit in the order they were decided (a slow write under
/// load could otherwise be overtaken by the next one) and their event times are at least `interval` apart. The
/// scheduler writes from its one loop, in order, and does not track writes.
public struct ProgressThrottle<Key: Hashable, Report> {
    /// `SWEEP_PROGRESS_INTERVAL_MS`: at most one progress event per run this often.
    public static var defaultInterval: Duration { .milliseconds(500) }

    public let interval: Duration
    public let tracksWrites: Bool
    private var lastSent: [Key: ContinuousClock.Instant] = [:]
    private var held: [Key: Report] = [:]
    /// Runs whose report was handed out and is not yet written (only with `tracksWrites`).
    private var writing: Set<Key> = []

    public init(interval: Duration = ProgressThrottle.defaultInterval, tracksWrites: Bool = false) {
        self.interval = interval
        self.tracksWrites = tracksWrites
    }

    /// A report arrives: returns it when it may be sent now, nil when it is held (replacing what was held).
    public mutating func offer(_ key: Key, _ report: Report, now: ContinuousClock.Instant) -> Report? {
        if writing.contains(key) {
            held[key] = report
            return nil
        }
        if let last = lastSent[key], now - last < interval {
            held[key] = report
            return nil
        }
        lastSent[key] = now
        held[key] = nil
        if tracksWrites { writing.insert(key) }
        return report
    }

    /// Held reports whose interval has passed, to send now.
    public mutating func due(now: ContinuousClock.Instant) -> [(Key, Report)] {
        var out: [(Key, Report)] = []
        for (key, report) in held where !writing.contains(key) && (now - (lastSent[key] ?? now) >= interval || lastSent[key] == nil) {
            out.append((key, report))
        }
        for (key, _) in out {
            held[key] = nil
            lastSent[key] = now
            if tracksWrites { writing.insert(key) }
        }
        // Runs quiet for a whole interval need no memory.
        lastSent = lastSent.filter { held[$0.key] != nil || writing.contains($0.key) || now - $0.value < interval }
        return out
    }

    /// The write of a report handed out by `offer` or `due` has ended (with `tracksWrites`): the run's next report
    /// may go out `interval` after now. A run finished meanwhile stays forgotten.
    public mutating func written(_ key: Key, now: ContinuousClock.Instant) {
        guard writing.remove(key) != nil else { return }
        lastSent[key] = now
    }

    /// The held report of a run that ended, to send before its end; the run is forgotten.
    public mutating func finish(_ key: Key) -> Report? {
        lastSent[key] = nil
        writing.remove(key)
        return held.removeValue(forKey: key)
    }

    /// When the next held report falls due; nil when none is held (or each held one waits for its run's write).
    public func nextDue() -> ContinuousClock.Instant? {
        held.keys.filter { !writing.contains($0) }.compactMap { lastSent[$0].map { $0 + interval } }.min()
    }

    public var isHolding: Bool { !held.isEmpty }
}
