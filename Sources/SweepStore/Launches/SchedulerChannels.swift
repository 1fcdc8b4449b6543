/// NOTIFY channels between the API and the schedulers. Payloads are launch ids (or empty).
public enum SchedulerChannels {
    /// Runs became claimable: idle schedulers wake and claim.
    public static let ready = "sweep_ready"
    /// A launch was cancelled: schedulers abort its runs in flight.
    public static let cancel = "sweep_cancel"
    /// A launch ended: waiters (`wait` on launch) wake.
    public static let launchDone = "sweep_launch_done"
    /// A waiting run became due now (a child workflow to create, a stored signal) or a child launch ended: the
    /// schedulers' `WaitingService` looks at once instead of at its next pass.
    public static let waiting = "sweep_waiting"
}
