import SweepModel

/// The limits of a user with no row (or a NULL column) in `user_limits`: one named default each, overridden by the
/// worker's environment (`SWEEP_LIMIT_RUNNING_RUNS`, `SWEEP_LIMIT_LAUNCHES_IN_FLIGHT`,
/// `SWEEP_LIMIT_REPLICAS_PER_LAUNCH`, `SWEEP_LIMIT_STORED_BYTES`, `SWEEP_LIMIT_STREAMS`).
public struct LimitDefaults: Sendable, Hashable {
    /// Runs of one user executing at once, across all schedulers.
    public static let defaultMaxRunningRuns = 5_000
    /// Launches of one user waiting or running at once.
    public static let defaultMaxLaunchesInFlight = 1_000
    /// Runs one launch may create (`RunBudget`).
    public static let defaultMaxReplicasPerLaunch = RunBudget.defaultMaxRuns
    /// 1 GiB of stored files (`StorageLimits`). Keep in step with the default in scripts/render-nginx.sh, whose
    /// upload cap (client_max_body_size) is rendered from the same variable.
    public static let defaultMaxStoredBytes: Int64 = 1 << 30
    /// Open SSE streams of one user (the benchmark opens 2,000 on one worker).
    public static let defaultMaxStreams = 4_096

    public var maxRunningRuns: Int
    public var maxLaunchesInFlight: Int
    public var maxReplicasPerLaunch: Int
    public var maxStoredBytes: Int64
    public var maxStreams: Int

    public init(maxRunningRuns: Int = defaultMaxRunningRuns, maxLaunchesInFlight: Int = defaultMaxLaunchesInFlight,
                maxReplicasPerLaunch: Int = defaultMaxReplicasPerLaunch, maxStoredBytes: Int64 = defaultMaxStoredBytes,
                maxStreams: Int = defaultMaxStreams) {
        self.maxRunningRuns = maxRunningRuns
        self.maxLaunchesInFlight = maxLaunchesInFlight
        self.maxReplicasPerLaunch = maxReplicasPerLaunch
        self.maxStoredBytes = maxStoredBytes
        self.maxStreams = maxStreams
    }

    /// The value of one limit, by its API name.
    public subscript(field: UserLimits.Field) -> Int64 {
        switch field {
        case .maxRunningRuns: Int64(maxRunningRuns)
        case .maxLaunchesInFlight: Int64(maxLaunchesInFlight)
        case .maxReplicasPerLaunch: Int64(maxReplicasPerLaunch)
        case .maxStoredBytes: maxStoredBytes
        case .maxStreams: Int64(maxStreams)
        }
    }

    public struct InvalidSetting: Error, CustomStringConvertible {
        public let description: String
    }

    /// The defaults with the `SWEEP_LIMIT_*` variables applied; a value that is not a non-negative integer (at
    /// least 1 for replicas) is refused at start-up rather than ignored.
    public init(environment: [String: String]) throws {
        self.init()
        func read(_ name: String, minimum: Int64 = 0) throws -> Int64? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int64(text), value >= minimum, value <= Int64(Int32.max) || name == "SWEEP_LIMIT_STORED_BYTES" else {
                throw InvalidSetting(description: "\(name) must be an integer of at least \(minimum), not '\(text)'")
            }
            return value
        }
        if let v = try read("SWEEP_LIMIT_RUNNING_RUNS") { maxRunningRuns = Int(v) }
        if let v = try read("SWEEP_LIMIT_LAUNCHES_IN_FLIGHT") { maxLaunchesInFlight = Int(v) }
        if let v = try read("SWEEP_LIMIT_REPLICAS_PER_LAUNCH", minimum: 1) { maxReplicasPerLaunch = Int(v) }
        if let v = try read("SWEEP_LIMIT_STORED_BYTES") { maxStoredBytes = v }
        if let v = try read("SWEEP_LIMIT_STREAMS") { maxStreams = Int(v) }
    }
}
