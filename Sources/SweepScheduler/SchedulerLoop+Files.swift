import ProcessSupervisor
import SweepModel
import SweepStore

/// Task files and separate log streams around a local process (a bubblewrap function or a podman container): the
/// workspace is made and staged before the start and collected after the end, the same way for both sandboxes.
/// Bytes move off the loop's thread (`FileTransfers`); the run stays in flight meanwhile, so its lease is renewed
/// and a cancel drops it.
extension SchedulerEngine.Loop {
    /// The run's workspace with its input files, when its task declares files; a failure fails the run.
    func createWorkspace(_ run: ClaimedRun) -> Result<TaskWorkspace?, TaskWorkspaceError> {
        guard let files = run.plan.files else { return .success(nil) }
        do {
            return .success(try TaskWorkspace.create(under: configuration.workRoot, files: files, services: configuration.files))
        } catch {
            return .failure(error)
        }
    }

    /// Starts the process, after its artifacts are staged when it declares any.
    mutating func startStaging(_ run: ClaimedRun, _ index: Int, isFunction: Bool, _ spec: ProcessSpec, workspace: TaskWorkspace?) {
        guard let workspace, !workspace.files.artifacts.isEmpty else { return start(run, index, isFunction: isFunction, spec, workspace: workspace) }
        inFlight[run.id] = SchedulerEngine.InFlight(run: run, alternative: index, isFunction: isFunction)
        let services = configuration.files
        let engine = self.engine
        FileTransfers.shared.run {
            var failure: String?
            do {
                try workspace.stageArtifacts(userID: run.userID, services: services)
            } catch {
                failure = "\(error)"
            }
            engine.inbox.post { $0.fileTransfers.append(.staged(run: run, alternative: index, isFunction: isFunction, spec: spec,
                                                                workspace: workspace, error: failure)) }
            engine.wake.wake()
        }
    }

    /// After the process ended: its output files stored off the loop's thread, then its end recorded. False when the
    /// task collects nothing (the caller records the end at once).
    mutating func collect(_ flight: SchedulerEngine.InFlight, _ outcome: ProcessOutcome, unwritten: LiveOutput.Pending?,
                          from workspace: TaskWorkspace) -> Bool {
        guard !workspace.files.outputFiles.isEmpty, let services = configuration.files else { return false }
        let run = flight.run
        let engine = self.engine
        FileTransfers.shared.run {
            let problems = workspace.collect(run: run, services: services)
            workspace.remove()
            engine.inbox.post { $0.fileTransfers.append(.collected(runID: run.id, attempt: run.attempt, outcome: outcome,
                                                                   unwritten: unwritten, problems: problems)) }
            engine.wake.wake()
        }
        return true
    }

    /// A transfer finished. A run cancelled (or taken over) meanwhile is no longer in flight: its result is dropped.
    mutating func handle(_ transfer: FileTransfer) {
        switch transfer {
        case .staged(let run, let index, let isFunction, let spec, let workspace, let error):
            guard let flight = inFlight[run.id], flight.run.attempt == run.attempt else { return workspace.remove() }
            if let error {
                workspace.remove()
                return fail(run, error)
            }
            start(run, index, isFunction: isFunction, spec, workspace: workspace)
        case .collected(let runID, let attempt, let outcome, let unwritten, let problems):
            guard let flight = inFlight[runID], flight.run.attempt == attempt else { return }
            complete(flight, outcome, unwritten: unwritten, problems: problems)
        }
    }

    /// The rest of a process's stdout and stderr written to the run's log streams, with lines about files that
    /// could not be kept added to stderr.
    func recordStreams(_ run: ClaimedRun, unwritten: LiveOutput.Pending?, problems: [String]) {
        var errors = unwritten?.stderr ?? []
        if !problems.isEmpty { errors += Array(("\n" + problems.joined(separator: "\n") + "\n").utf8) }
        write(LiveOutput.Pending(run: run, stdout: unwritten?.stdout ?? [], stderr: errors,
                                 droppedStdout: unwritten?.droppedStdout ?? false, droppedStderr: unwritten?.droppedStderr ?? false))
    }

    /// Appends what local processes wrote since the last time to their runs' log streams (see `LiveOutput`).
    func writeLiveOutput(now: ContinuousClock.Instant) {
        for pending in LiveOutput.shared.take(now: now) { write(pending) }
    }

    /// A failure to write a log only loses log text (the run's result is recorded apart): logged, not retried.
    private func write(_ pending: LiveOutput.Pending) {
        let run = pending.run
        do {
            try RunLogStore.append(connection, userID: run.userID, launchID: run.launchID, runID: run.id, stream: .stdout, chunk: pending.stdout,
                                   dropped: pending.droppedStdout)
            try RunLogStore.append(connection, userID: run.userID, launchID: run.launchID, runID: run.id, stream: .stderr, chunk: pending.stderr,
                                   dropped: pending.droppedStderr)
            try RunLogStore.notify(connection, launchID: run.launchID)
        } catch {
            logger.warning("cannot record a run's output streams", metadata: ["run": "\(run.name)", "error": "\(error)"])
        }
    }

    /// Queued blobs of deleted or replaced run files, deleted from the blob store a batch at a time (any number of
    /// schedulers share the queue: SKIP LOCKED). Returns how many went.
    func collectOrphanedBlobs(limit: Int = 100) throws -> Int {
        guard let files = configuration.files else { return 0 }
        return try connection.transaction { connection in
            let keys = try OrphanedBlobStore.take(connection, limit: limit)
            for key in keys { try files.outputs.blobs.delete(key) }
            return keys.count
        }
    }
}
