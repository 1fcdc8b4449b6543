/// Which of a run's output streams (`GET …/logs?stream=`).
public enum RunLogStream: String, Sendable, CaseIterable {
    case stdout
    case stderr
}
