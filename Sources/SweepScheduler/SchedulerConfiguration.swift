import Egress
import Foundation
import SweepStore

/// How a scheduler process behaves; read from the environment by `sweep-scheduler`.
public struct SchedulerConfiguration: Sendable {
    public var databaseURL: String
    /// Unique per process: claims are leased to it.
    public var schedulerID: String
    /// Runs in flight at once (HTTP calls and local processes).
    public var maxInFlight: Int
    /// Runs claimed per claim query.
    public var claimBatch: Int
    /// A claim is a lease: a scheduler that stops renewing it (killed) loses its runs to the rescuer.
    public var leaseSeconds: Int
    /// How often expired leases are looked for.
    public var rescueInterval: Duration
    /// Whether tenant code may run on this host (functions from zips, container commands as processes).
    public var localExecution: Bool
    /// Where local processes get their private working directories (`SWEEP_WORK_DIR`, default the temporary folder).
    public var workRoot: String
    /// Used when a workflow sets no max_task_runtime.
    public var defaultRuntimeSeconds: Int
    /// Where tasks reach the API to report progress (`SWEEP_API_URL`).
    public var apiURL: String?
    /// Which addresses HTTP destinations may reach (`SWEEP_EGRESS_ALLOW` opens special ranges).
    public var egress: EgressPolicy
    /// Largest output a run may record as JSON (`SWEEP_MAX_OUTPUT_BYTES`); larger fails the run `output_rejected`.
    public var maxOutputBytes: Int
    /// Ended launches older than this many days are deleted (`SWEEP_RETENTION_DAYS`; 0 keeps them).
    public var retentionDays: Int = Retention.defaultDays
    /// How often each loop deletes a batch of them (`SWEEP_RETENTION_INTERVAL_MS`).
    public var retentionInterval: Duration = Retention.defaultInterval
    /// How often each loop fails runs past their max_wait_time (`SWEEP_WAIT_CHECK_INTERVAL_MS`).
    public var waitCheckInterval: Duration = WaitTimeEnforcer.defaultInterval
    /// How often each loop ends due timers, times out signals and starts or completes child launches
    /// (`SWEEP_WAITING_INTERVAL_MS`; `WaitingService`).
    public var waitingInterval: Duration = WaitingService.defaultInterval
    /// At most one `::progress::` event per run this often, the latest line winning (`SWEEP_PROGRESS_INTERVAL_MS`).
    public var progressInterval: Duration = ProgressThrottle<Int64, Never>.defaultInterval
    /// How much nicer than the scheduler local task processes run (`SWEEP_TASK_NICE`, 0-19): podman, bubblewrap and
    /// the task itself, with all they start. Tasks share the host with PostgreSQL, the worker, nginx and this loop;
    /// twenty container starts at once (~2 CPU-seconds of podman on two cores) otherwise delayed the event streams'
    /// delivery by 100-200 ms (make bench, SSE section). Only matters while the CPU is contended.
    public var taskNiceness = 10
    /// Runs of one user running at once when its `user_limits` row sets none (`SWEEP_LIMIT_RUNNING_RUNS`, read as
    /// the worker reads it: `LimitDefaults`); the claim leaves the rest scheduled.
    public var defaultMaxRunningRuns: Int = LimitDefaults.defaultMaxRunningRuns
    /// Launches of one user waiting or running at once when its `user_limits` row sets none
    /// (`SWEEP_LIMIT_LAUNCHES_IN_FLIGHT`, as the worker reads it): a child launch waits while its user is there.
    public var defaultMaxLaunchesInFlight: Int = LimitDefaults.defaultMaxLaunchesInFlight
    /// How tenant code is sandboxed here (bubblewrap for local functions, podman for containers).
    public var sandbox = SandboxSettings()
    /// Where task files are staged from and collected into (the blob store); nil: tasks with files fail.
    public var files: TaskFileServices? = nil
    /// How long an upload may take before its journalled blob counts as a crash's leftover
    /// (`SWEEP_BLOB_UPLOAD_GRACE_SECONDS`; `UnfinishedUploadSweeper`).
    public var uploadGraceSeconds: Int = UnfinishedUploadSweeper.defaultGraceSeconds
    /// The time transitions take as now: the database's, or one a test moves.
    public var clock: TransitionClock = .database

    public init(databaseURL: String, schedulerID: String, maxInFlight: Int = 256, claimBatch: Int = 100, leaseSeconds: Int = 30,
                rescueInterval: Duration = .seconds(10), localExecution: Bool = false, workRoot: String = NSTemporaryDirectory(),
                defaultRuntimeSeconds: Int = 3600, apiURL: String? = nil, egress: EgressPolicy = EgressPolicy(),
                maxOutputBytes: Int = 1 << 20) {
        self.databaseURL = databaseURL
        self.schedulerID = schedulerID
        self.maxInFlight = maxInFlight
        self.claimBatch = claimBatch
        self.leaseSeconds = leaseSeconds
        self.rescueInterval = rescueInterval
        self.localExecution = localExecution
        self.workRoot = workRoot
        self.defaultRuntimeSeconds = defaultRuntimeSeconds
        self.apiURL = apiURL
        self.egress = egress
        self.maxOutputBytes = maxOutputBytes
    }
}
