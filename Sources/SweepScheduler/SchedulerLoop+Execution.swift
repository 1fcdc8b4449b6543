import Foundation
import HTTPClient
import ProcessSupervisor
import SweepJSON
import SweepModel
import Service
import SweepStore
import SweepStates

/// Executing claimed runs: choosing the executor alternative, starting HTTP calls and local processes, and turning
/// their results (or their failure to start) into completions for the next step.
extension SchedulerEngine.Loop {
    mutating func dispatch(_ run: ClaimedRun, alternative index: Int) {
        guard index < run.plan.alternatives.count else {
            fail(run, "no executor could run this task" + (run.plan.alternatives.isEmpty ? "" : " (every alternative failed to start)"))
            return
        }
        let runtime = run.runtimeLimit(default: configuration.defaultRuntimeSeconds).seconds
        switch run.plan.alternatives[index] {
        case .http(let url):
            if inFlight[run.id] != nil {
                // This loop claimed the run again after its lease ran out (a database outage longer than the lease)
                // while the old attempt's call is still open: that call is stale (its result would be fenced out),
                // and the client takes one call per id.
                http.cancel(run.id)
            }
            inFlight[run.id] = SchedulerEngine.InFlight(run: run, alternative: index, isFunction: true)
            http.submit(HTTPRequest(
                method: .post, url: url,
                // The run's identity lets a function deduplicate retried attempts.
                headers: [(name: "Content-Type", value: "application/json"), (name: "X-Sweep-Launch-Id", value: run.launchID),
                          (name: "X-Sweep-Run-Id", value: run.name), (name: "X-Sweep-Attempt", value: String(run.attempt)),
                          (name: "traceparent", value: run.traceParent)],
                body: Self.httpBody(run, apiURL: configuration.apiURL), timeout: .seconds(runtime), egress: configuration.egress), id: run.id)
        case .localFunction(let functionID, let runtimeName, let environment):
            guard configuration.localExecution else { return fallBack(run, index, "local execution is disabled on this host (SWEEP_LOCAL_EXEC)") }
            let bubblewrap = BubblewrapLauncher(settings: configuration.sandbox)
            if let reason = bubblewrap.unavailableReason { return fallBack(run, index, reason) }
            guard let program = FunctionRunner.program(runtime: runtimeName, functionName: functionID) else {
                return fallBack(run, index, "runtime \(runtimeName) cannot run on a local destination (python3.x and nodejs can)")
            }
            let code: [UInt8]?
            do {
                code = try connection.query("SELECT code FROM functions WHERE user_id = \(run.userID) AND id = \(functionID)")
                    .first.flatMap { try $0.decode([UInt8]?.self, column: "code") }
            } catch {
                return fallBack(run, index, "cannot load the code of function \(functionID): \(error)")
            }
            guard let code else { return fallBack(run, index, "function \(functionID) has no code uploaded") }
            var files = program.files
            files["code.zip"] = code
            var workspace: TaskWorkspace?
            switch createWorkspace(run) {
            case .success(let created): workspace = created
            case .failure(let error): return fail(run, error.description)
            }
            workspace?.ownFiles = Set(files.keys)
            var spec = bubblewrap.processSpec(SandboxSpec(
                arguments: program.arguments,
                environment: LocalEnvironment.make(run: run, apiURL: configuration.sandbox.apiURL(hostURL: configuration.apiURL), layers: [],
                                                   extra: environment.merging(["SWEEP_FUNCTION_NAME": functionID]) { a, _ in a }),
                standardInput: run.input.jsonBytes, files: files, timeout: .seconds(runtime), limits: Self.limits))
            spec.workingDirectory = workspace?.work
            // The handler's result travels on fd 3, its own pipe, so its prints are the run's stdout (users read
            // them there) and stderr stays stderr. A pipe rather than a file in the working directory: no file for
            // the output-files patterns to pick up, nothing to read back from a directory the sandbox wrote (a
            // symlink or a FIFO in its place), and it exists when the run has no workspace of ours. The supervisor
            // caps it like stdout (`limits.outputBytes`); what is past the cap fails the run as too large.
            spec.resultChannel = true
            startStaging(run, index, isFunction: true, spec, workspace: workspace)
        case .container(let target):
            guard configuration.localExecution else { return fallBack(run, index, "local execution is disabled on this host (SWEEP_LOCAL_EXEC)") }
            startContainer(run, index, target, runtime: runtime)
        case .unavailable(let reason):
            fallBack(run, index, reason)
        }
    }

    /// A container task: the user's own image (loaded into this host's podman on first use), the definition's
    /// resources, SWEEP's precedence for command and environment (image < definition < workflow task).
    mutating func startContainer(_ run: ClaimedRun, _ index: Int, _ target: ContainerTarget, runtime: Int) {
        let podman = PodmanLauncher(settings: configuration.sandbox)
        if let reason = podman.unavailableReason { return fallBack(run, index, reason) }
        guard let imageName = target.imageName, let imageTag = target.imageTag else {
            return fallBack(run, index, "container '\(target.containerID)' was resolved before images existed; launch again")
        }
        let reference = imageName + ":" + imageTag
        let image: ContainerImageStore.Runnable?
        var archive: [UInt8]? = nil
        do {
            image = try ContainerImageStore.runnable(connection, userID: run.userID, name: imageName, tag: imageTag)
            if let image, !PodmanLauncher.loaded.contains(image.imageID) {
                archive = try PodmanLauncher.loaded.carried(image.imageID)
                    ?? ContainerImageStore.archive(connection, userID: run.userID, imageID: image.imageID)
            }
        } catch {
            return fallBack(run, index, "cannot read image \(reference): \(error)")
        }
        guard let image else {
            return fallBack(run, index, "image \(reference) has not been uploaded (PUT /api/v1/containers/\(target.containerID)/image)")
        }
        guard archive != nil || PodmanLauncher.loaded.contains(image.imageID) else {
            return fallBack(run, index, "image \(reference) was replaced while this run started; it will be retried")
        }
        // The API: through the forwarder sandbox whose network the container shares (SWEEP_API_URL), else (no
        // bwrap or socat here) the unix socket mounted into the container (SWEEP_API_SOCKET).
        let forwarded = BubblewrapLauncher(settings: configuration.sandbox).forwarderSandbox() != nil
        let mountsSocket = !forwarded && configuration.sandbox.network == .apiOnly && configuration.sandbox.apiSocket != nil
        var environment = LocalEnvironment.make(
            run: run, apiURL: forwarded || configuration.sandbox.network == .host ? configuration.sandbox.apiURL(hostURL: configuration.apiURL) : nil,
            layers: [target.environment, run.plan.environment ?? []], base: [:])
        if mountsSocket { environment["SWEEP_API_SOCKET"] = environment["SWEEP_API_SOCKET"] ?? SandboxSettings.apiSocketInside }
        let labels = ["sweep.run": String(run.id), "sweep.launch": run.launchID, "sweep.scheduler": configuration.schedulerID,
                      ContainerReaper.pidLabel: String(getpid())]
        let workspace: TaskWorkspace?
        switch createWorkspace(run) {
        case .success(let created): workspace = created
        case .failure(let error): return fail(run, error.description)
        }
        var spec = podman.processSpec(
            SandboxSpec(arguments: run.plan.command ?? target.command ?? [], environment: environment, timeout: .seconds(runtime), limits: Self.limits),
            imageID: image.imageID, archive: archive, name: PodmanLauncher.containerName(runID: run.id, attempt: run.attempt),
            labels: labels, cpu: target.cpu, memoryMB: target.memoryMB, workDirectory: workspace?.work)
        spec.workingDirectory = workspace?.root
        startStaging(run, index, isFunction: false, spec, workspace: workspace)
        if let archive, inFlight[run.id] != nil { PodmanLauncher.loaded.carry(runID: run.id, imageID: image.imageID, archive: archive) }
    }

    /// A container whose podman client did not end by itself (cancel, timeout) may still run: remove it.
    mutating func removeContainer(of flight: SchedulerEngine.InFlight) {
        guard case .container = flight.run.plan.alternatives[flight.alternative] else { return }
        let name = PodmanLauncher.containerName(runID: flight.run.id, attempt: flight.run.attempt)
        do {
            try supervisor.start(PodmanLauncher(settings: configuration.sandbox).removal(of: name), id: "rm-" + name)
        } catch {
            logger.warning("cannot remove a container", metadata: ["container": "\(name)", "error": "\(error)"])
        }
    }

    /// The task input, plus `sweep`: who the run is and how to report progress (API.md, issue 5).
    static func httpBody(_ run: ClaimedRun, apiURL: String?) -> [UInt8] {
        let inputFiles = run.plan.files?.inputFiles.map(\.name)
        return httpBody(input: run.inputJSON) { out in
            writeSweepJSON(runName: run.name, launchID: run.launchID, token: run.progressToken, attempt: run.attempt,
                           inputFiles: inputFiles, apiURL: apiURL, to: &out)
        }
    }

    /// `sweep` of a run's HTTP body, as JSON with its keys in order: run_id and attempt, like the X-Sweep-Run-Id and
    /// X-Sweep-Attempt headers (execution is at least once, so a function with side effects deduplicates on them);
    /// the progress URL and the run API's base (heartbeat, result, children, shared data, response items, files,
    /// API.md "The run API"); input files, read through the run API (`GET /run/input_files/{name}`): an HTTP function
    /// has no working directory of ours to find them in. Written as bytes: a dictionary per call, sorted and
    /// serialised, was a share of every dispatch.
    static func sweepJSON(runName: String, launchID: String, token: String, attempt: Int, inputFiles: [String]?, apiURL: String?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        writeSweepJSON(runName: runName, launchID: launchID, token: token, attempt: attempt, inputFiles: inputFiles, apiURL: apiURL, to: &out)
        return out
    }

    /// `sweepJSON`, appended to `out` (the body being built: no buffer of its own per call).
    static func writeSweepJSON(runName: String, launchID: String, token: String, attempt: Int, inputFiles: [String]?, apiURL: String?,
                               to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if let apiURL {
            out.append(contentsOf: "\"api_url\":".utf8)
            JSONValue.writeEscaped(apiURL, to: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: "\"attempt\":".utf8)
        JSONValue.writeInt(Int64(attempt), to: &out)
        if let inputFiles, !inputFiles.isEmpty {
            out.append(contentsOf: ",\"input_files\":".utf8)
            JSONValue.array(inputFiles.map(JSONValue.string)).write(to: &out)
        }
        out.append(contentsOf: ",\"launch_id\":".utf8)
        JSONValue.writeEscaped(launchID, to: &out)
        if let apiURL {
            out.append(contentsOf: ",\"progress_url\":".utf8)
            JSONValue.writeEscaped(apiURL + "/api/v1/progress", to: &out)
        }
        out.append(contentsOf: ",\"run_id\":".utf8)
        JSONValue.writeEscaped(runName, to: &out)
        out.append(contentsOf: ",\"token\":".utf8)
        JSONValue.writeEscaped(token, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The body of an HTTP call: `input` (JSON text) with `"sweep": sweep` (JSON text) added when it is an object.
    /// Spliced as bytes (`{"sweep":…,` then the input's own members) when the input has no "sweep" anywhere, so none
    /// of its own members is replaced; otherwise parsed, `sweep` set over its own, and serialised again. Not an
    /// object: sent as it is.
    static func httpBody(input: [UInt8], sweep: [UInt8]) -> [UInt8] {
        httpBody(input: input) { $0.append(contentsOf: sweep) }
    }

    /// `httpBody(input:sweep:)` with `sweep` written by `writeSweep` (appending to the buffer it is given), straight
    /// into the body in the common case.
    static func httpBody(input: [UInt8], writeSweep: (inout [UInt8]) -> Void) -> [UInt8] {
        guard let open = input.firstIndex(where: { !JSONDepth.isWhitespace($0) }), input[open] == UInt8(ascii: "{") else { return input }
        guard !input.contains(subsequence: Self.sweepKey) else {
            guard case .object(var body)? = try? JSONParser.parse(input) else { return input }
            var sweep: [UInt8] = []
            writeSweep(&sweep)
            body["sweep"] = (try? JSONParser.parse(sweep)) ?? .null
            return JSONValue.object(body).jsonBytes
        }
        var out: [UInt8] = []
        out.reserveCapacity(input.count + 400)
        out.append(contentsOf: "{\"sweep\":".utf8)
        writeSweep(&out)
        let rest = input[(open + 1)...]
        if let next = rest.firstIndex(where: { !JSONDepth.isWhitespace($0) }), input[next] != UInt8(ascii: "}") {
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: rest)
        return out
    }

    private static let sweepKey = Array("\"sweep\"".utf8)

    static let limits = ResourceLimits(cpuSeconds: 3600, addressSpaceBytes: 4 << 30, openFiles: 1024, processes: 4096, outputBytes: 1 << 20)

    mutating func start(_ run: ClaimedRun, _ index: Int, isFunction: Bool, _ spec: ProcessSpec, workspace: TaskWorkspace? = nil) {
        var spec = spec
        spec.reportsOutput = true  // stdout and stderr reach run_logs while the task runs (LiveOutput)
        spec.niceness = configuration.taskNiceness
        do {
            inFlight[run.id] = SchedulerEngine.InFlight(run: run, alternative: index, isFunction: isFunction)
            if let workspace { TaskWorkspaces.shared.keep(workspace, runID: run.id) }
            try supervisor.start(spec, id: String(run.id))
        } catch {
            inFlight[run.id] = nil
            TaskWorkspaces.shared.take(run.id)?.remove()
            fallBack(run, index, "cannot start the process: \(error)")
        }
    }

    /// This alternative cannot run: try the next one, or fail with the reason.
    mutating func fallBack(_ run: ClaimedRun, _ index: Int, _ reason: String) {
        if index + 1 < run.plan.alternatives.count {
            logger.info("executor unavailable, trying the next", metadata: ["run": "\(run.name)", "reason": "\(reason)", "traceparent": "\(run.traceParent)"])
            dispatch(run, alternative: index + 1)
        } else {
            fail(run, reason)
        }
    }

    /// Every failure is recorded through here: the message and logs quote tenant bytes (an HTTP body, stderr), so
    /// they are made storable (no NUL) before they reach a statement that records a whole batch.
    /// `retryable: false` when the executable said so: the run fails even with retries left.
    mutating func fail(_ run: ClaimedRun, _ message: String, logs: String? = nil, retryable: Bool = true) {
        inFlight[run.id] = nil
        ready.append(RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .failed(StorableText.sanitised(message)),
                                   logs: logs.map(StorableText.sanitised), identity: run.identity, retryable: retryable))
    }

    /// Every success is recorded through here: an output PostgreSQL or a successor's decoder cannot hold fails the
    /// run (`output_rejected: …`) instead, and its launch proceeds as after any failure.
    mutating func succeed(_ run: ClaimedRun, _ output: JSONValue, logs: String? = nil) {
        let final = Planner.output(executorOutput: output, staticOutput: run.staticOutput)
        if let reason = outputAdmission.problem(in: final) {
            logger.info("output rejected", metadata: ["run": "\(run.name)", "reason": "\(reason)"])
            return fail(run, OutputAdmission.message(reason), logs: logs)
        }
        inFlight[run.id] = nil
        ready.append(RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .succeeded(final),
                                   logs: logs.map(StorableText.sanitised), identity: run.identity))
    }

    var outputAdmission: OutputAdmission { OutputAdmission(maxBytes: configuration.maxOutputBytes) }

    mutating func handle(_ completion: HTTPMultiClient<Int64>.Completion) {
        guard let flight = inFlight[completion.id] else { return }  // aborted (cancelled launch)
        let run = flight.run
        switch completion.result {
        case .success(let response):
            guard (200..<300).contains(response.status) else {
                // 1,000 bytes: an interceptor's refusal is read back from this text (`InterceptorVerdict`), whole.
                let excerpt = String(decoding: response.body.prefix(1000), as: UTF8.self)
                return fail(run, "the function answered HTTP \(response.status): \(excerpt)", retryable: Self.retryable(response))
            }
            switch outputAdmission.decode(response.body) {
            case .value(let value) where value.objectValue != nil: succeed(run, value)
            case .value, .malformed:
                fail(run, "the function's answer is not a JSON object: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            case .rejected(let reason): fail(run, OutputAdmission.message(reason))
            }
        case .failure(let error):
            switch error.code {
            case .couldNotConnect:
                inFlight[run.id] = nil
                fallBack(run, flight.alternative, "cannot reach the function: \(error.message)")
            case .timedOut:
                fail(run, run.runtimeLimit(default: configuration.defaultRuntimeSeconds).timedOut)
            case .egressDenied:
                // A policy refusal is the installation's answer, not an outage: no fallback, the run fails naming it.
                fail(run, error.message)
            case .aborted:
                break  // whoever cancelled it let the run go already (abort, stop, or a newer attempt took its place)
            default:
                fail(run, "the call failed: \(error.message)")
            }
        }
    }

    /// An HTTP function marks its error final with `X-Sweep-Retryable: false` (API.md "Task semantics").
    static func retryable(_ response: HTTPResponse) -> Bool {
        response.header("X-Sweep-Retryable")?.trimmingCharacters(in: .whitespaces).lowercased() != "false"
    }

    mutating func handle(_ event: ProcessEvent) {
        switch event {
        case .progress(let id, let percent, let message):
            guard let runID = Int64(id), let flight = inFlight[runID] else { return }
            var data: [String: JSONValue] = ["state": .string(RunState.running.rawValue), "message": .string(StorableText.sanitised(message))]
            if let percent { data["percent"] = .double(percent) }
            // Rate limited per run, the latest line winning (a process printing thousands of lines a second would
            // otherwise write as many events).
            let report = (flight.run, EventDraft(type: .taskProgress, runName: flight.run.name, data: data))
            if let now = progressThrottle.offer(runID, report, now: .now) { progress.append(now) }
        case .output(let id, let standardOutput, let bytes):
            guard let runID = Int64(id), let flight = inFlight[runID] else { return }
            LiveOutput.shared.add(flight.run, standardOutput: standardOutput, bytes: bytes, cap: RunLogStore.capCharacters)
        case .finished(let id, let outcome):
            guard let runID = Int64(id) else { return }
            PodmanLauncher.loaded.settle(runID: runID, succeeded: outcome.exitCode == 0 && !outcome.timedOut && !outcome.cancelled)
            let workspace = TaskWorkspaces.shared.take(runID)
            let unwritten = LiveOutput.shared.finish(runID)
            guard let flight = inFlight[runID] else { workspace?.remove(); return }
            let held = progressThrottle.finish(runID)
            if outcome.signal != nil || outcome.timedOut || outcome.cancelled { removeContainer(of: flight) }
            if outcome.cancelled { inFlight[runID] = nil; workspace?.remove(); return }
            // Its last progress line is written before its end (reportProgress runs first in the step).
            if let held { progress.append(held) }
            if let workspace, collect(flight, outcome, unwritten: unwritten, from: workspace) { return }
            workspace?.remove()
            complete(flight, outcome, unwritten: unwritten, problems: [])
        }
    }

    /// Records a process's end: the rest of its output streams, then its result.
    mutating func complete(_ flight: SchedulerEngine.InFlight, _ outcome: ProcessOutcome, unwritten: LiveOutput.Pending?, problems: [String]) {
        recordStreams(flight.run, unwritten: unwritten, problems: problems)
        var logs = ProcessResultInterpreter.logs(outcome)
        if !problems.isEmpty { logs += problems.joined(separator: "\n") + "\n" }
        switch ProcessResultInterpreter.result(outcome, isFunction: flight.isFunction, runtimeLimit: flight.run.runtimeLimit(default: configuration.defaultRuntimeSeconds),
                                               admission: outputAdmission) {
        case .success(let output): succeed(flight.run, output, logs: logs)
        case .failure(let failure): fail(flight.run, failure.message, logs: logs)
        }
    }

    /// A launch was cancelled: stop its calls and processes now (their results would be fenced out anyway).
    mutating func abort(launchID: String) {
        for (id, flight) in inFlight where flight.run.launchID == launchID {
            inFlight[id] = nil
            _ = progressThrottle.finish(id)  // a held progress line of a cancelled run is dropped
            http.cancel(id)
            supervisor.cancel(id: String(id))
            removeContainer(of: flight)
        }
    }
}
