import Foundation
import HTTPClient
import ProcessSupervisor
import SweepJSON
import SweepModel
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
        let runtime = run.runtimeSeconds ?? configuration.defaultRuntimeSeconds
        switch run.plan.alternatives[index] {
        case .http(let url):
            inFlight[run.id] = SchedulerEngine.InFlight(run: run, alternative: index, isFunction: true)
            http.submit(HTTPRequest(
                method: .post, url: url,
                // The run's identity lets a function deduplicate retried attempts.
                headers: [(name: "Content-Type", value: "application/json"), (name: "X-Sweep-Launch-Id", value: run.launchID),
                          (name: "X-Sweep-Run-Id", value: run.name), (name: "X-Sweep-Attempt", value: String(run.attempt))],
                body: Self.httpBody(run, apiURL: configuration.apiURL), timeout: .seconds(runtime)), id: run.id)
        case .localFunction(let functionID, let runtimeName, let environment):
            guard configuration.localExecution else { return fallBack(run, index, "local execution is disabled on this host (SWEEP_LOCAL_EXEC)") }
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
            start(run, index, isFunction: true, ProcessSpec(
                arguments: program.arguments,
                environment: LocalEnvironment.make(run: run, apiURL: configuration.apiURL, layers: [], extra: environment.merging(["SWEEP_FUNCTION_NAME": functionID]) { a, _ in a }),
                standardInput: run.input.jsonBytes, files: files, timeout: .seconds(runtime), limits: Self.limits))
        case .process(let definitionCommand, let definitionEnvironment):
            guard configuration.localExecution else { return fallBack(run, index, "local execution is disabled on this host (SWEEP_LOCAL_EXEC)") }
            guard let command = run.plan.command ?? definitionCommand, !command.isEmpty else {
                return fallBack(run, index, "the container task has no command (set it in the container definition or the task)")
            }
            start(run, index, isFunction: false, ProcessSpec(
                arguments: command,
                environment: LocalEnvironment.make(run: run, apiURL: configuration.apiURL, layers: [definitionEnvironment, run.plan.environment ?? []]),
                standardInput: [], files: [:], timeout: .seconds(runtime), limits: Self.limits))
        case .unavailable(let reason):
            fallBack(run, index, reason)
        }
    }

    /// The task input, plus `sweep`: who the run is and how to report progress (API.md, issue 5).
    static func httpBody(_ run: ClaimedRun, apiURL: String?) -> [UInt8] {
        guard case .object(var body) = run.input else { return run.input.jsonBytes }
        var sweep: [String: JSONValue] = ["run_id": .string(run.name), "launch_id": .string(run.launchID), "token": .string(run.progressToken)]
        if let apiURL { sweep["progress_url"] = .string(apiURL + "/api/v1/progress") }
        body["sweep"] = .object(sweep)
        return JSONValue.object(body).jsonBytes
    }

    static let limits = ResourceLimits(cpuSeconds: 3600, addressSpaceBytes: 4 << 30, openFiles: 1024, processes: 4096, outputBytes: 1 << 20)

    mutating func start(_ run: ClaimedRun, _ index: Int, isFunction: Bool, _ spec: ProcessSpec) {
        do {
            inFlight[run.id] = SchedulerEngine.InFlight(run: run, alternative: index, isFunction: isFunction)
            try supervisor.start(spec, id: String(run.id))
        } catch {
            inFlight[run.id] = nil
            fallBack(run, index, "cannot start the process: \(error)")
        }
    }

    /// This alternative cannot run: try the next one, or fail with the reason.
    mutating func fallBack(_ run: ClaimedRun, _ index: Int, _ reason: String) {
        if index + 1 < run.plan.alternatives.count {
            logger.info("executor unavailable, trying the next", metadata: ["run": "\(run.name)", "reason": "\(reason)"])
            dispatch(run, alternative: index + 1)
        } else {
            fail(run, reason)
        }
    }

    mutating func fail(_ run: ClaimedRun, _ message: String, logs: String? = nil) {
        inFlight[run.id] = nil
        ready.append(RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .failed(message), logs: logs, identity: run.identity))
    }

    mutating func succeed(_ run: ClaimedRun, _ output: JSONValue, logs: String? = nil) {
        inFlight[run.id] = nil
        let final = Planner.output(executorOutput: output, staticOutput: run.staticOutput)
        ready.append(RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .succeeded(final), logs: logs, identity: run.identity))
    }

    mutating func handle(_ completion: HTTPMultiClient<Int64>.Completion) {
        guard let flight = inFlight[completion.id] else { return }  // aborted (cancelled launch)
        let run = flight.run
        switch completion.result {
        case .success(let response):
            guard (200..<300).contains(response.status) else {
                let excerpt = String(decoding: response.body.prefix(200), as: UTF8.self)
                return fail(run, "the function answered HTTP \(response.status): \(excerpt)")
            }
            guard let value = try? JSONParser.parse(response.body), case .object = value else {
                return fail(run, "the function's answer is not a JSON object: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            }
            succeed(run, value)
        case .failure(let error):
            switch error.code {
            case .couldNotConnect:
                inFlight[run.id] = nil
                fallBack(run, flight.alternative, "cannot reach the function: \(error.message)")
            case .timedOut:
                fail(run, "timed out after \(run.runtimeSeconds ?? configuration.defaultRuntimeSeconds) s (max_task_runtime)")
            case .aborted:
                inFlight[run.id] = nil
            default:
                fail(run, "the call failed: \(error.message)")
            }
        }
    }

    mutating func handle(_ event: ProcessEvent) {
        switch event {
        case .progress(let id, let percent, let message):
            guard let runID = Int64(id), let flight = inFlight[runID] else { return }
            var data: [String: JSONValue] = ["state": .string(RunState.running.rawValue), "message": .string(message)]
            if let percent { data["percent"] = .double(percent) }
            progress.append((flight.run, EventDraft(type: .taskProgress, runName: flight.run.name, data: data)))
        case .finished(let id, let outcome):
            guard let runID = Int64(id), let flight = inFlight[runID] else { return }
            if outcome.cancelled { inFlight[runID] = nil; return }
            let logs = ProcessResultInterpreter.logs(outcome, includeStdout: !flight.isFunction)
            switch ProcessResultInterpreter.result(outcome, isFunction: flight.isFunction, runtimeSeconds: flight.run.runtimeSeconds ?? configuration.defaultRuntimeSeconds) {
            case .success(let output): succeed(flight.run, output, logs: logs)
            case .failure(let failure): fail(flight.run, failure.message, logs: logs)
            }
        }
    }

    /// A launch was cancelled: stop its calls and processes now (their results would be fenced out anyway).
    mutating func abort(launchID: String) {
        for (id, flight) in inFlight where flight.run.launchID == launchID {
            inFlight[id] = nil
            http.cancel(id)
            supervisor.cancel(id: String(id))
        }
    }
}
