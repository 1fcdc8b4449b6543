import ProcessSupervisor
import SweepModel
import SweepStore

/// Task files and separate log streams around a local process (a bubblewrap function or a podman container): the
/// workspace is staged before the start and collected after the end, the same way for both sandboxes.
extension SchedulerEngine.Loop {
    /// The run's workspace when its task declares files; a failure (an artifact not uploaded) fails the run.
    func prepareWorkspace(_ run: ClaimedRun) -> Result<TaskWorkspace?, TaskWorkspaceError> {
        guard let files = run.plan.files else { return .success(nil) }
        do {
            return .success(try TaskWorkspace.prepare(under: configuration.workRoot, userID: run.userID, files: files, services: configuration.files))
        } catch {
            return .failure(error)
        }
    }

    /// After a process ended (any end): the rest of its stdout and stderr written to the run's log streams, its
    /// output files collected, its workspace removed. Returns lines added to the run's log (files not kept).
    func settle(_ run: ClaimedRun, unwritten: LiveOutput.Pending?, workspace: TaskWorkspace?) -> [String] {
        var problems: [String] = []
        if let workspace {
            problems = workspace.collect(run: run, services: configuration.files)
            workspace.remove()
        }
        var errors = unwritten?.stderr ?? []
        if !problems.isEmpty { errors += Array(("\n" + problems.joined(separator: "\n") + "\n").utf8) }
        write(LiveOutput.Pending(run: run, stdout: unwritten?.stdout ?? [], stderr: errors,
                                 droppedStdout: unwritten?.droppedStdout ?? false, droppedStderr: unwritten?.droppedStderr ?? false))
        return problems
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
