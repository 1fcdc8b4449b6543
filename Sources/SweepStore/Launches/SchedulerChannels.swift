/// NOTIFY channels between the API and the schedulers. Payloads are launch ids (or empty).
public enum SchedulerChannels {
    /// Runs became claimable: idle schedulers wake and claim.
    public static let ready = "sweep_ready"
    /// A launch was cancelled: schedulers abort its runs in flight.
    public static let cancel = "sweep_cancel"
    /// A launch ended: waiters (`wait` on launch) wake.
    public static let launchDone = "sweep_launch_done"
}
