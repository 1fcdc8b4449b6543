import Foundation
import HTTPClient
import Logging
import Postgres
import ProcessSupervisor
import SweepJSON
import SweepModel
import SweepStore
import Synchronization
import DurationUnits

/// One scheduler's work loop, on one thread with one database connection: claim ready runs, execute them (HTTP
/// calls through curl's multi interface, local processes through the supervisor), record results and claim the
/// successors in the same transaction, renew leases, rescue runs of dead schedulers, and sleep on LISTEN/NOTIFY
/// (through the HTTP client's wake-up) when idle.
public final class SchedulerEngine: Sendable {
    struct InFlight {
        let run: ClaimedRun
        let alternative: Int
        let isFunction: Bool
    }

    let configuration: SchedulerConfiguration
    let logger: Logger
    let inbox = SchedulerInbox()
    let wake: SendableWake  // also woken by FileTransfers when a run's files are moved

    public init(configuration: SchedulerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.wake = SendableWake()
    }

    /// Asks the loop to stop: it aborts what runs, hands those runs back, and returns from `run()`.
    public func stop() {
        inbox.post { $0.stopping = true }
        wake.wake()
    }

    /// Runs until `stop()`. A database that is down at start or goes away later is waited for (capped backoff),
    /// never a reason to return: the loop carries on where it was once PostgreSQL answers again.
    public func run() {
        HTTPClient.globalInit()
        let inbox = self.inbox
        let link = ReconnectingConnection(url: configuration.databaseURL, applicationName: "sweep-scheduler", role: Database.systemRole, logger: logger) { connection in
            // Every statement of the scheduler finds rows by key or walks a partial index in order. Statistics of a
            // launch inserted a moment ago say "a few rows", and the planner then prefers bitmap scans that read and
            // sort every ready run of a 20,000-wide scatter to claim 100 of them (40 ms a claim, measured).
            try connection.simpleQuery(unsafeSQL: "SET enable_bitmapscan = off")
        }
        guard link.connect(until: { inbox.isStopping }) else { return }
        let http = HTTPMultiClient<Int64>(maxHostConnections: 64, maxBodyBytes: 1 << 20)
        wake.attach(http.remote)
        let wake = self.wake
        let supervisor = ProcessSupervisor(temporaryDirectory: configuration.workRoot) { event in
            inbox.post { $0.processEvents.append(event) }
            wake.wake()
        }
        let listener = NotificationListener(
            url: configuration.databaseURL, logger: logger, ownBackendPID: link.connection.backendPID,
            onReady: { inbox.post { $0.ready = true }; wake.wake() },
            onCancel: { launchID in inbox.post { $0.cancelledLaunches.append(launchID) }; wake.wake() },
            onWaiting: { inbox.post { $0.waiting = true }; wake.wake() })
        listener.start()
        defer { listener.stop() }

        var loop = Loop(engine: self, link: link, listener: listener, http: http, supervisor: supervisor)
        loop.run()
    }

    /// The loop's state lives on its thread only.
    struct Loop {
        let engine: SchedulerEngine
        /// The loop's one connection, replaced after PostgreSQL restarts or the socket breaks.
        let link: ReconnectingConnection
        let listener: NotificationListener
        let http: HTTPMultiClient<Int64>
        let supervisor: ProcessSupervisor
        let claimer: Claimer
        let completer: Completer
        let chain: ChainFastPath
        let rescuer: Rescuer
        let expander: Expander
        /// A chunked expansion may wait for a scheduler (set by NOTIFY ready, at start and with each rescue pass).
        var wantExpand = true
        let retention: Retention
        var lastRetention = ContinuousClock.now - .seconds(3600)
        let waitTimes: WaitTimeEnforcer
        let runtimes: RuntimeEnforcer
        var lastWaitCheck = ContinuousClock.now - .seconds(3600)
        let waiting: WaitingService
        /// Blobs of uploads a crash cut off (nil when this scheduler has no blob store); runs with retention.
        let unfinishedUploads: UnfinishedUploadSweeper?
        var lastWaiting = ContinuousClock.now - .seconds(3600)
        var inFlight: [Int64: InFlight] = [:]
        var ready: [RunCompletion] = []
        /// Progress lines of local processes, appended as events with the next transaction.
        var progress: [(ClaimedRun, EventDraft)] = []
        var progressThrottle: ProgressThrottle<Int64, (ClaimedRun, EventDraft)>
        var httpResults: [HTTPMultiClient<Int64>.Completion] = []
        var wantClaim = true
        /// The last step left completions of a launch another transaction held: the next records them before
        /// claiming, so it may wait for that launch while holding no claimed rows.
        var completeFirst = false
        /// How soon to claim again when ready runs were left by the claim (`step`).
        static let cappedRetry: Duration = .milliseconds(500)
        var nextDue: ContinuousClock.Instant? = nil
        var lastRenew = ContinuousClock.now
        var lastRescue = ContinuousClock.now - .seconds(3600)

        var connection: PostgresConnection { link.connection }
        var configuration: SchedulerConfiguration { engine.configuration }
        var logger: Logger { engine.logger }

        init(engine: SchedulerEngine, link: ReconnectingConnection, listener: NotificationListener, http: HTTPMultiClient<Int64>, supervisor: ProcessSupervisor) {
            self.engine = engine
            self.link = link
            self.listener = listener
            self.http = http
            self.supervisor = supervisor
            let configuration = engine.configuration
            self.claimer = Claimer(schedulerID: configuration.schedulerID, leaseSeconds: configuration.leaseSeconds, clock: configuration.clock,
                                   defaultMaxRunningRuns: configuration.defaultMaxRunningRuns)
            let planners = PlannerCache()
            self.completer = Completer(planners: planners, clock: configuration.clock)
            self.retention = Retention(days: configuration.retentionDays)
            self.progressThrottle = ProgressThrottle(interval: configuration.progressInterval)
            self.chain = ChainFastPath(planners: planners, schedulerID: configuration.schedulerID, leaseSeconds: configuration.leaseSeconds,
                                       clock: configuration.clock)
            self.rescuer = Rescuer(clock: configuration.clock)
            self.expander = Expander(planners: planners, clock: configuration.clock)
            self.waitTimes = WaitTimeEnforcer(planners: planners, clock: configuration.clock)
            self.runtimes = RuntimeEnforcer(defaultRuntimeSeconds: configuration.defaultRuntimeSeconds, clock: configuration.clock)
            self.waiting = WaitingService(clock: configuration.clock, planners: planners,
                                          defaultMaxLaunchesInFlight: configuration.defaultMaxLaunchesInFlight)
            self.unfinishedUploads = configuration.files.map {
                UnfinishedUploadSweeper(blobs: $0.outputs.blobs, graceSeconds: configuration.uploadGraceSeconds, clock: configuration.clock)
            }
        }

        mutating func run() {
            logger.info("scheduler started", metadata: ["id": "\(configuration.schedulerID)", "local_exec": "\(configuration.localExecution)"])
            while true {
                let mail = engine.inbox.take()
                if mail.stopping { break }
                if mail.ready { wantClaim = true; wantExpand = true }
                // A NOTIFY on `sweep_waiting` (a child's end, a run due now) makes the waiting service's pass due now.
                if mail.waiting { lastWaiting = ContinuousClock.now - configuration.waitingInterval }
                for launchID in mail.cancelledLaunches { abort(launchID: launchID) }
                for event in mail.processEvents { handle(event) }
                for transfer in mail.fileTransfers { handle(transfer) }
                writeLiveOutput(now: .now)
                for result in httpResults { handle(result) }
                httpResults.removeAll()
                let now = ContinuousClock.now
                if let due = nextDue, due <= now { wantClaim = true; nextDue = nil }
                progress += progressThrottle.due(now: now).map(\.1)

                do {
                    try stepIsolatingRuns()
                    if wantExpand { wantExpand = try expander.step(connection) }
                    if now - lastRenew >= .seconds(max(1, configuration.leaseSeconds / 3)) { try renewLeases(); lastRenew = now }
                    if now - lastRescue >= configuration.rescueInterval {
                        ready += try rescuer.rescue(connection)
                        wantExpand = true
                        lastRescue = now
                    }
                    if now - lastWaitCheck >= configuration.waitCheckInterval {
                        lastWaitCheck = now  // a failing pass waits its interval too
                        ready += try runtimes.enforce(connection)  // executors' runs past max_runtime
                        if try waitTimes.enforce(connection) == WaitTimeEnforcer.batch {
                            lastWaitCheck = now - configuration.waitCheckInterval + .milliseconds(100)
                        }
                    }
                    if now - lastWaiting >= configuration.waitingInterval {
                        lastWaiting = now
                        // A full batch means more are due: look again soon.
                        if try waiting.pass(connection) >= waiting.batch { lastWaiting = now - configuration.waitingInterval }
                    }
                    if now - lastRetention >= configuration.retentionInterval {
                        // A full batch means more are due: look again soon rather than a whole interval later.
                        lastRetention = now  // a failing sweep waits its interval too
                        let full = try retention.sweep(connection) == retention.batchSize
                        _ = try collectOrphanedBlobs()  // the blobs of run files deleted with their launches
                        _ = try unfinishedUploads?.sweep(connection)  // the blobs of uploads a crash cut off
                        lastRetention = full ? now - configuration.retentionInterval + .milliseconds(100) : now
                    }
                } catch {
                    // A lost connection or a failed transaction: what was not committed is redone, nothing is lost
                    // (completions wait in `ready`, fenced by attempt when redone; runs not recorded stay running
                    // under our lease, or are rescued and run again when it expires).
                    logger.error("scheduler step failed", metadata: ["error": "\(error)"])
                    if link.isBroken {
                        let inbox = engine.inbox
                        guard link.reconnectIfBroken(until: { inbox.isStopping }) else { break }
                        listener.ownBackendPID = connection.backendPID
                        wantClaim = true
                        lastRenew = .now - .seconds(3600)  // renew at once: the outage ate into our leases
                    } else {
                        Thread.sleep(forTimeInterval: 0.2)
                    }
                }
                httpResults = http.poll(timeoutMilliseconds: pollTimeout())
            }
            shutdown()
        }

        /// Records what finished and claims more, in one transaction: a chain's successor is claimed by the
        /// transaction that recorded its predecessor.
        mutating func step() throws {
            try reportProgress()
            try chainSteps()
            let free = configuration.maxInFlight - inFlight.count
            let completions = ready
            guard !completions.isEmpty || (wantClaim && free > 0) else { return }
            let limit = min(free, configuration.claimBatch)
            let t0 = ContinuousClock.now
            var t1 = t0, t2 = t0
            // Claim first, unless the last step left completions because their launch was held (`completeFirst`).
            let claimFirst = wantClaim && !completeFirst
            let (claimed, rejected, secondsToNext, deferred) = try connection.transaction { connection -> ([ClaimedRun], [RunCompletion], Double?, [RunCompletion]) in
                t1 = ContinuousClock.now
                // Claim before completing when runs are known to be waiting: completing takes the launch's lock
                // until COMMIT, and a claim inside that window would serialise schedulers sharing a wide launch.
                // The claimed rows are then held, so the completions may not wait for a launch another transaction
                // holds (`Completer.complete(_:_:waitingForLaunches:)`); those wait for the next step.
                var (claimed, rejected) = claimFirst ? try claimer.claim(connection, limit: limit) : ([], [])
                let (claimable, deferred) = completions.isEmpty ? (0, [])
                    : try completer.complete(connection, completions, waitingForLaunches: !claimFirst)
                t2 = ContinuousClock.now
                // Claim in place what the completions made ready (a chain's successor): no NOTIFY round trip.
                if claimable > 0 || !claimFirst, claimed.count + rejected.count < limit {
                    let more = try claimer.claim(connection, limit: limit - claimed.count - rejected.count)
                    claimed += more.runs
                    rejected += more.rejected
                }
                var secondsToNext: Double? = nil
                if claimed.isEmpty && rejected.isEmpty {
                    secondsToNext = try connection.query(TaskRunSQL.secondsToNextReady.query(["now": configuration.clock.now.postgresBind]))
                        .first.flatMap { try $0.decode(Double?.self, column: "s") }
                }
                return (claimed, rejected, secondsToNext, deferred)
            }
            ready = rejected + deferred
            completeFirst = !deferred.isEmpty
            let t3 = ContinuousClock.now
            logger.debug("step", metadata: ["begin": "\(t1 - t0)", "complete": "\(t2 - t1)", "claim+commit": "\(t3 - t2)", "n": "\(completions.count)"])
            wantClaim = claimed.count + rejected.count == limit && limit > 0
            if let seconds = secondsToNext {
                // Runs ready now that the claim left: their users are at their running cap (or another scheduler
                // held them locked). A completion recorded here claims them in place; this slower look covers room
                // freed elsewhere (another scheduler's completion, a cancellation) without spinning.
                nextDue = ContinuousClock.now + (seconds > 0 ? .milliseconds(Int64(seconds * 1000) + 1) : Self.cappedRetry)
            } else if claimed.isEmpty {
                nextDue = nil
            }
            for run in claimed where try !parkIfWaiting(run) { dispatch(run, alternative: 0) }
            // Load the plans of launches new to this scheduler while their first runs execute, not when their
            // results arrive (where it would delay the successors).
            for launchID in Set(claimed.map(\.launchID)) { _ = try completer.planners.plan(connection, launchID: launchID) }
        }

        /// A timer, signal or workflow run is never executed: one claimed here was sent back to `scheduled` by a
        /// retry, so it waits again (`LaunchProgression.park`). Only runs with nothing to execute are looked at.
        func parkIfWaiting(_ run: ClaimedRun) throws -> Bool {
            guard run.plan.alternatives.isEmpty, let plan = try completer.planners.plan(connection, launchID: run.launchID),
                  plan.planner.waiting(taskID: run.taskID) != nil else { return false }
            try connection.transaction { connection in
                guard let launch = try LaunchRecord.lock(connection, id: run.launchID) else { return }
                let progression = LaunchProgression(connection: connection, launch: launch, plan: plan, now: configuration.clock.now)
                try progression.park(run: run.id, attempt: run.attempt, taskID: run.taskID)
                try progression.flush()
            }
            return true
        }

        /// Progress lines of local processes, committed on their own: an event's `ts` is taken at insert, so
        /// inside the step's transaction it would precede its visibility by the whole step.
        mutating func reportProgress() throws {
            guard !progress.isEmpty else { return }
            let reports = progress
            try connection.transaction { connection in
                for (run, event) in reports {
                    try EventWriter.append(connection, userID: run.userID, launchID: run.launchID, [event])
                }
            }
            progress.removeAll()
        }

        /// Successes with a plain successor: recorded and the successor claimed in one statement each
        /// (`ChainFastPath`); the others stay in `ready` for the general path.
        mutating func chainSteps() throws {
            if ready.count > 1, try chainStepsTogether() { return }
            var index = 0
            while index < ready.count {
                // Each call commits on its own: settle this completion before the next can throw. An output that
                // PostgreSQL refuses fails its run (through the general path), never the loop.
                let next: ClaimedRun?
                do {
                    next = try chain.completeAndClaim(connection, ready[index])
                } catch let error as PostgresError where error.isRunLevel {
                    ready[index] = ready[index].rejected(error.message)
                    next = nil
                }
                if let next {
                    ready.remove(at: index)
                    dispatch(next, alternative: 0)
                } else {
                    index += 1
                }
            }
        }

        /// The pass's chain steps in one transaction: one commit (one WAL flush, one turn at the lock PostgreSQL
        /// takes to commit a NOTIFY) instead of one each, which with 64 foreground calls in flight was most of the
        /// loop's time per step. Launches are taken in id order, as `Completer` takes them. False, with nothing
        /// changed, when an output PostgreSQL refuses rolled the batch back: `chainSteps` then takes the steps one
        /// by one, where that completion fails alone. The planner picks the steps first: when none has a plain
        /// successor (the leaves of a scatter), no transaction is opened (an empty BEGIN/COMMIT was two round trips
        /// per pass, for the scheduler and for PostgreSQL).
        mutating func chainStepsTogether() throws -> Bool {
            let completions = ready
            let order = completions.indices.sorted { completions[$0].launchID < completions[$1].launchID }
            let chain = self.chain
            let claimed: [(Int, ClaimedRun)]
            do {
                let steps = try order.compactMap { index in try chain.statement(connection, completions[index]).map { (index, $0) } }
                guard !steps.isEmpty else { return true }
                claimed = try connection.transaction { connection in
                    try steps.compactMap { index, statement in try chain.claim(connection, statement).map { (index, $0) } }
                }
            } catch let error as PostgresError where error.isRunLevel {
                return false
            }
            let taken = Set(claimed.map(\.0))
            ready = completions.indices.filter { !taken.contains($0) }.map { completions[$0] }
            for (_, next) in claimed.sorted(by: { $0.0 < $1.0 }) { dispatch(next, alternative: 0) }
            return true
        }

        func pollTimeout() -> Int {
            if !ready.isEmpty || !progress.isEmpty { return 0 }
            if wantClaim && inFlight.count < configuration.maxInFlight { return 0 }
            if wantExpand { return 0 }
            var timeout = Duration.seconds(max(1, configuration.leaseSeconds / 3))
            let rescueIn = configuration.rescueInterval - (ContinuousClock.now - lastRescue)
            timeout = min(timeout, rescueIn)
            timeout = min(timeout, configuration.retentionInterval - (ContinuousClock.now - lastRetention))
            timeout = min(timeout, configuration.waitCheckInterval - (ContinuousClock.now - lastWaitCheck))
            timeout = min(timeout, configuration.waitingInterval - (ContinuousClock.now - lastWaiting))
            if let due = nextDue { timeout = min(timeout, due - ContinuousClock.now) }
            if let due = progressThrottle.nextDue() { timeout = min(timeout, due - ContinuousClock.now) }
            if let due = LiveOutput.shared.nextDue() { timeout = min(timeout, due - ContinuousClock.now) }
            return max(0, Int(clamping: timeout.milliseconds))
        }

        func renewLeases() throws {
            guard !inFlight.isEmpty else { return }
            try connection.execute(TaskRunSQL.renewLeases.query([
                "ids": Array(inFlight.keys).postgresBind, "scheduler": configuration.schedulerID.postgresBind,
                "lease": configuration.leaseSeconds.postgresBind, "now": configuration.clock.now.postgresBind,
                // Runs claimed in the last half interval keep their lease to the next renewal (TaskRunSQL.renewLeases).
                "held": (Double(max(1, configuration.leaseSeconds / 3)) / 2).postgresBind,
            ]))
        }

        /// Stop: abort everything in flight and hand those runs back without charging them an attempt.
        mutating func shutdown() {
            for id in inFlight.keys { http.cancel(id) }
            supervisor.cancelAll()
            guard !link.isBroken else {
                logger.warning("stopping without a database connection; the runs in flight return when their leases expire")
                return
            }
            do {
                if !ready.isEmpty { try connection.transaction { try completer.complete($0, ready) } }
                let returned = try connection.execute(TaskRunSQL.handBack.query([
                    "ids": Array(inFlight.keys).postgresBind, "scheduler": configuration.schedulerID.postgresBind,
                    "now": configuration.clock.now.postgresBind,
                ]))
                if returned > 0 { try connection.notify(channel: SchedulerChannels.ready, payload: "") }
                logger.info("scheduler stopped", metadata: ["returned_runs": "\(returned)"])
            } catch {
                logger.error("could not hand runs back at stop; their leases will expire", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Wakes the engine's blocking poll from any thread.
final class SendableWake: Sendable {
    private let remote = Mutex<HTTPMultiClient<Int64>.Remote?>(nil)
    func attach(_ remote: HTTPMultiClient<Int64>.Remote) { self.remote.withLock { $0 = remote } }
    func wake() { remote.withLock { $0 }?.wakeUp() }
}
