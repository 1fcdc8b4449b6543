import SweepStates
/// The state a `ps`-style command lists (after `colonies workflow ps/psw/pss/psf`).
protocol LaunchFilter {
    static var commandName: String { get }
    static var state: LaunchState { get }
}

enum RunningLaunches: LaunchFilter {
    static let commandName = "ps"
    static let state = LaunchState.running
}

enum WaitingLaunches: LaunchFilter {
    static let commandName = "psw"
    static let state = LaunchState.waiting
}

enum SucceededLaunches: LaunchFilter {
    static let commandName = "pss"
    static let state = LaunchState.succeeded
}

enum FailedLaunches: LaunchFilter {
    static let commandName = "psf"
    static let state = LaunchState.failed
}
