import ProcessSupervisor
import SweepJSON
import SweepModel

/// Turns a finished local process into a run outcome and its log text.
enum ProcessResultInterpreter {
    static let logCap = 64 << 10

    /// Both streams: a function's stdout is its handler's prints too (its result comes on `outcome.result`).
    static func logs(_ outcome: ProcessOutcome) -> String {
        var text = ""
        if !outcome.stdout.isEmpty {
            text += String(decoding: outcome.stdout.prefix(logCap), as: UTF8.self)
            if outcome.stdoutTruncated || outcome.stdout.count > logCap { text += "\n[stdout truncated]\n" }
        }
        if !outcome.stderr.isEmpty {
            text += String(decoding: outcome.stderr.prefix(logCap), as: UTF8.self)
            if outcome.stderrTruncated || outcome.stderr.count > logCap { text += "\n[stderr truncated]\n" }
        }
        return text
    }

    /// The executor output on success, or the failure message.
    static func result(_ outcome: ProcessOutcome, isFunction: Bool, runtimeLimit: RuntimeLimit, admission: OutputAdmission) -> Result<JSONValue, ProcessFailure> {
        if outcome.timedOut { return .failure(ProcessFailure(runtimeLimit.timedOut)) }
        guard outcome.exitCode == 0 else {
            let how = outcome.signal.map { "was killed by signal \($0)" } ?? "exited with code \(outcome.exitCode ?? -1)"
            let tail = String(decoding: outcome.stderr.suffix(300), as: UTF8.self)
            return .failure(ProcessFailure("the process \(how)" + (tail.isEmpty ? "" : ": \(tail)")))
        }
        guard isFunction else { return .success(.object([:])) }
        // The runner writes the result last, on fd 3 (FunctionRunner): nothing there after a clean exit means the
        // handler never returned (an os._exit, a process.exit, a closed fd 3).
        guard let result = outcome.result, outcome.resultTotalBytes > 0 else {
            return .failure(ProcessFailure("the function exited with no result (its runner writes the handler's return value last)"))
        }
        // Past the capture's cap the bytes kept are a cut-off prefix: too large, not malformed.
        if outcome.resultTruncated {
            let reason = "the output is \(outcome.resultTotalBytes) bytes, more than the limit of \(min(result.count, admission.maxBytes))"
            return .failure(ProcessFailure(OutputAdmission.message(reason)))
        }
        let value: JSONValue
        switch admission.decode(result) {
        case .value(let decoded): value = decoded
        case .malformed: return .failure(ProcessFailure("the function's result is not JSON"))
        case .rejected(let reason): return .failure(ProcessFailure(OutputAdmission.message(reason)))
        }
        guard case .object = value else {
            return .failure(ProcessFailure("the function returned \(value.typeName); SWEEP functions return a dict"))
        }
        return .success(value)
    }
}

struct ProcessFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
