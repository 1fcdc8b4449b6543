import SweepJSON

/// What a call does once its interceptor's run ended (`InterceptorLaunch`): go on with the answer, or tell the
/// caller why not. Pure: it reads the run's recorded outcome, the same text any run's `error` holds.
public enum InterceptorVerdict: Sendable, Equatable {
    /// The run succeeded with this output (a JSON object).
    case accepted(JSONValue)
    /// The interceptor said no (an HTTP function's non-2xx answer, a process's non-zero exit, an executor's reported
    /// error): 422 `rejected_by_interceptor` with its own words.
    case rejected(String)
    /// It did not answer in time (its `max_runtime`, or the call's bound): 504 `interceptor_timeout`.
    case timedOut(String)
    /// It could not run or answered nonsense (unreachable, no executor alternative, output not a JSON object):
    /// 502 `interceptor_failed`; the fault is the setup's, not the request's.
    case failed(String)

    static let messageLimit = 2000

    /// The verdict for a run that ended `succeeded` with `output`, or otherwise with `error`.
    public static func of(succeeded: Bool, output: JSONValue?, error: String?) -> InterceptorVerdict {
        if succeeded {
            guard let output, output.objectValue != nil else { return .failed("the interceptor must answer a JSON object of the request's shape") }
            return .accepted(output)
        }
        let error = error ?? "the interceptor ended without an answer"
        if error.hasPrefix("timed out after ") { return .timedOut("the interceptor " + error) }
        if let rest = error.dropPrefix("the function answered HTTP ") {
            // "<status>: <body excerpt>": the body's own message, as the caller would have read it.
            let parts = rest.split(separator: ":", maxSplits: 1)
            let body = parts.count == 2 ? String(parts[1].drop(while: { $0 == " " })) : ""
            return .rejected(limited(message(try? JSONParser.parse(Array(body.utf8))) ?? (body.isEmpty ? "the interceptor refused the call (HTTP \(parts[0]))" : body)))
        }
        if let rest = error.dropPrefix("the process exited with code ") {
            // "<code>: <stderr tail>": the last line says why (a Python handler's exception, a script's message).
            guard let colon = rest.firstIndex(of: ":") else { return .rejected("the interceptor exited with code \(rest)") }
            return .rejected(limited(lastLine(String(rest[rest.index(after: colon)...])) ?? "the interceptor exited with code \(rest[..<colon])"))
        }
        if error.hasPrefix("the process was killed by signal ") || error.hasPrefix("cannot reach the function")
            || error.hasPrefix("no executor could run") || error.hasPrefix("the function's answer is not") || error.hasPrefix("the call failed")
            || error.hasPrefix("the function's result is not JSON") || error.hasPrefix("the function returned ") {
            return .failed(limited(error))
        }
        // An executor's reported error: its first line (the Python executor sends "ValueError: …" and a traceback).
        return .rejected(limited(firstLine(error) ?? error))
    }

    /// The interceptor's own words in a JSON answer: `{"error": "…"}`, `{"error": {"message": "…"}}`,
    /// `{"message": "…"}`, `{"detail": "…"}` or a string.
    static func message(_ answer: JSONValue?) -> String? {
        switch answer {
        case .string(let s)?: s
        case .object(let o)?: o["error"]?.stringValue ?? o["error"]?["message"]?.stringValue ?? o["message"]?.stringValue ?? o["detail"]?.stringValue
        default: nil
        }
    }

    /// The last non-empty line, without a Python exception's class (`ValueError: too young` says `too young`).
    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters() }).last(where: { !$0.isEmpty }).map(withoutExceptionClass)
    }

    static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters() }).first(where: { !$0.isEmpty }).map(withoutExceptionClass)
    }

    static func withoutExceptionClass(_ line: String) -> String {
        if let colon = line.firstIndex(of: ":"), line[colon...].hasPrefix(": ") {
            let name = line[..<colon]
            let isIdentifier = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            if isIdentifier, name.hasSuffix("Error") || name.hasSuffix("Exception") { return String(line[line.index(colon, offsetBy: 2)...]) }
        }
        return line
    }

    static func limited(_ message: String) -> String {
        message.count > messageLimit ? String(message.prefix(messageLimit)) : message
    }
}

private extension String {
    func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}

private extension Substring {
    func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
}
