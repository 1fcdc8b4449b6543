/// One user's limits (DESIGN §7): each a number, or nil for the configured default. What is enforced where:
/// replicas per launch at registration and launch (422 `too_many_runs`), launches in flight at launch (429
/// `limit_exceeded`), streams at SSE admission (429); running runs by the claim (fair share), stored bytes by the
/// blob store: both are kept here for them.
public struct UserLimits: Sendable, Hashable {
    public var maxRunningRuns: Int?
    public var maxLaunchesInFlight: Int?
    public var maxReplicasPerLaunch: Int?
    public var maxStoredBytes: Int64?
    public var maxStreams: Int?

    public init(maxRunningRuns: Int? = nil, maxLaunchesInFlight: Int? = nil, maxReplicasPerLaunch: Int? = nil,
                maxStoredBytes: Int64? = nil, maxStreams: Int? = nil) {
        self.maxRunningRuns = maxRunningRuns
        self.maxLaunchesInFlight = maxLaunchesInFlight
        self.maxReplicasPerLaunch = maxReplicasPerLaunch
        self.maxStoredBytes = maxStoredBytes
        self.maxStreams = maxStreams
    }

    /// The limits in force: each unset one taken from `defaults`.
    public func effective(_ defaults: LimitDefaults) -> LimitDefaults {
        LimitDefaults(
            maxRunningRuns: maxRunningRuns ?? defaults.maxRunningRuns,
            maxLaunchesInFlight: maxLaunchesInFlight ?? defaults.maxLaunchesInFlight,
            maxReplicasPerLaunch: maxReplicasPerLaunch ?? defaults.maxReplicasPerLaunch,
            maxStoredBytes: maxStoredBytes ?? defaults.maxStoredBytes,
            maxStreams: maxStreams ?? defaults.maxStreams)
    }

    /// The JSON names, shared by the API and the table's columns.
    public enum Field: String, CaseIterable, Sendable {
        case maxRunningRuns = "max_running_runs"
        case maxLaunchesInFlight = "max_launches_in_flight"
        case maxReplicasPerLaunch = "max_replicas_per_launch"
        case maxStoredBytes = "max_stored_bytes"
        case maxStreams = "max_streams"

        /// The largest value accepted (the column types bound them; stored bytes is a bigint).
        public var maximum: Int64 { self == .maxStoredBytes ? Int64.max : Int64(Int32.max) }
        /// Zero would forbid all work; only replicas per launch must leave room for one run.
        public var minimum: Int64 { self == .maxReplicasPerLaunch ? 1 : 0 }
    }

    public subscript(field: Field) -> Int64? {
        get {
            switch field {
            case .maxRunningRuns: maxRunningRuns.map(Int64.init)
            case .maxLaunchesInFlight: maxLaunchesInFlight.map(Int64.init)
            case .maxReplicasPerLaunch: maxReplicasPerLaunch.map(Int64.init)
            case .maxStoredBytes: maxStoredBytes
            case .maxStreams: maxStreams.map(Int64.init)
            }
        }
        set {
            switch field {
            case .maxRunningRuns: maxRunningRuns = newValue.map { Int($0) }
            case .maxLaunchesInFlight: maxLaunchesInFlight = newValue.map { Int($0) }
            case .maxReplicasPerLaunch: maxReplicasPerLaunch = newValue.map { Int($0) }
            case .maxStoredBytes: maxStoredBytes = newValue
            case .maxStreams: maxStreams = newValue.map { Int($0) }
            }
        }
    }
}
