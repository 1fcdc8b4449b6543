/// The one conversion of `Duration` to the integer units C APIs take (poll, libcurl, semaphores) and to numbers
/// for logs. Saturating: a huge duration becomes the largest value, never a trap.
extension Duration {
    private static let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
    private static let attosecondsPerNanosecond: Int64 = 1_000_000_000

    /// Whole milliseconds, rounded down (toward zero).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? (seconds < 0 ? .min : .max) : total.addingReportingOverflow(attoseconds / Self.attosecondsPerMillisecond).partialValue
    }

    /// Whole milliseconds, rounded up: a timeout that must not fire early (poll, an idle wait).
    public var millisecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let extra = (attoseconds + Self.attosecondsPerMillisecond - 1) / Self.attosecondsPerMillisecond
        return total.addingReportingOverflow(extra).partialValue
    }

    /// Whole nanoseconds, rounded down.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : total.addingReportingOverflow(attoseconds / Self.attosecondsPerNanosecond).partialValue
    }

    /// Milliseconds with a fraction, for logs and figures.
    public var fractionalMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / Double(Self.attosecondsPerMillisecond)
    }
}
