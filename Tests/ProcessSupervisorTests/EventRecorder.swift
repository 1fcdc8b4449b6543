import Dispatch
import Foundation
import ProcessSupervisor
import Synchronization

/// Collects a supervisor's events and lets a test wait for a `.finished` without sleeping.
final class EventRecorder: Sendable {
    private let outcomes = Mutex<[String: ProcessOutcome]>([:])
    private let progress = Mutex<[(id: String, percent: Double?, message: String)]>([])
    private let signal = DispatchSemaphore(value: 0)

    func record(_ event: ProcessEvent) {
        switch event {
        case .progress(let id, let percent, let message):
            progress.withLock { $0.append((id, percent, message)) }
        case .finished(let id, let outcome):
            outcomes.withLock { $0[id] = outcome }
        case .output:
            break
        }
        signal.signal()
    }

    var progressReports: [(id: String, percent: Double?, message: String)] { progress.withLock { $0 } }

    /// Waits for any event until `condition` holds, at most `seconds`.
    func wait(seconds: Double = 30, until condition: () -> Bool) -> Bool {
        let deadline = DispatchTime.now() + seconds
        while !condition() {
            if signal.wait(timeout: deadline) == .timedOut { return condition() }
        }
        return true
    }

    func outcome(_ id: String, seconds: Double = 30) -> ProcessOutcome? {
        _ = wait(seconds: seconds) { outcomes.withLock { $0[id] != nil } }
        return outcomes.withLock { $0[id] }
    }
}

extension ProcessSupervisor {
    /// A supervisor recording into a fresh recorder.
    static func recording() -> (ProcessSupervisor, EventRecorder) {
        let recorder = EventRecorder()
        return (ProcessSupervisor(onEvent: { recorder.record($0) }), recorder)
    }
}

extension ProcessSpec {
    static let path = ["PATH": "/usr/bin:/bin"]

    static func shell(_ script: String, environment: [String: String] = [:]) -> ProcessSpec {
        ProcessSpec(arguments: ["sh", "-c", script], environment: path.merging(environment) { $1 })
    }
}

extension ProcessOutcome {
    var output: String { String(decoding: stdout, as: UTF8.self) }
}
