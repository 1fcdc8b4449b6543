/// How long an attempt may run, and which setting said so: the task's `max_runtime`, else the workflow's
/// `config.max_task_runtime`, else the scheduler's default. A timeout names the one that applied.
struct RuntimeLimit: Sendable, Equatable {
    enum Source: String, Sendable {
        case task = "max_runtime"
        case workflow = "max_task_runtime"
        case scheduler = "the scheduler's default runtime"
    }

    let seconds: Int
    let source: Source

    init(task: Int?, workflow: Int?, scheduler: Int) {
        if let task {
            (seconds, source) = (task, .task)
        } else if let workflow {
            (seconds, source) = (workflow, .workflow)
        } else {
            (seconds, source) = (scheduler, .scheduler)
        }
    }

    /// A run's error when its attempt ran past the limit.
    var timedOut: String { "timed out after \(seconds) s (\(source.rawValue))" }
}
