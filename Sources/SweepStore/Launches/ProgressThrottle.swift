/// Rate limits progress reports per run without losing the last one: the first report of a run goes out at once,
/// later ones within `interval` of the last sent replace each other (the latest message wins) and go out when the
/// interval has passed. Pure: the caller passes the clock and does the writing (the API's progress endpoint and
/// the scheduler's `::progress::` lines both use it).
public struct ProgressThrottle<Key: Hashable, Report> {
    /// `SWEEP_PROGRESS_INTERVAL_MS`: at most one progress event per run this often.
    public static var defaultInterval: Duration { .milliseconds(500) }

    public let interval: Duration
    private var lastSent: [Key: ContinuousClock.Instant] = [:]
    private var held: [Key: Report] = [:]

    public init(interval: Duration = ProgressThrottle.defaultInterval) {
        self.interval = interval
    }

    /// A report arrives: returns it when it may be sent now, nil when it is held (replacing what was held).
    public mutating func offer(_ key: Key, _ report: Report, now: ContinuousClock.Instant) -> Report? {
        if let last = lastSent[key], now - last < interval {
            held[key] = report
            return nil
        }
        lastSent[key] = now
        held[key] = nil
        return report
    }

    /// Held reports whose interval has passed, to send now.
    public mutating func due(now: ContinuousClock.Instant) -> [(Key, Report)] {
        var out: [(Key, Report)] = []
        for (key, report) in held where now - (lastSent[key] ?? now) >= interval || lastSent[key] == nil {
            out.append((key, report))
        }
        for (key, _) in out {
            held[key] = nil
            lastSent[key] = now
        }
        // Runs quiet for a whole interval need no memory.
        lastSent = lastSent.filter { held[$0.key] != nil || now - $0.value < interval }
        return out
    }

    /// The held report of a run that ended, to send before its end; the run is forgotten.
    public mutating func finish(_ key: Key) -> Report? {
        lastSent[key] = nil
        return held.removeValue(forKey: key)
    }

    /// When the next held report falls due; nil when none is held.
    public func nextDue() -> ContinuousClock.Instant? {
        held.keys.compactMap { lastSent[$0].map { $0 + interval } }.min()
    }

    public var isHolding: Bool { !held.isEmpty }
}
