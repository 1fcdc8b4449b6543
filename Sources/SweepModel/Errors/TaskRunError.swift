/// Why one run of a task could not start or produce output (a failed scatter, a false deploy condition, an
/// expression that raised). It is data the scheduler stores on the run, not a crash.
public struct TaskRunError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public struct Code: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        public static let scatterFailed: Code = "scatter_failed"
        public static let scatterNotList: Code = "scatter_not_list"
        public static let deployConditionFalse: Code = "deploy_condition_false"
        public static let deployConditionFailed: Code = "deploy_condition_failed"
        public static let environmentFailed: Code = "environment_failed"
        public static let staticOutputFailed: Code = "static_output_failed"
        public static let missingPredecessorOutput: Code = "missing_predecessor_output"
        public static let unknownTask: Code = "unknown_task"
        /// A scatter would make more runs than the launch may have (`RunBudget`).
        public static let tooManyRuns: Code = "too_many_runs"
        /// The run's input could not be stored and read back (`Planner.checkStorable`).
        public static let inputTooDeep: Code = "input_too_deep"
        public static let inputTooLarge: Code = "input_too_large"
        /// The run's input, environment, command or static output holds text PostgreSQL cannot store.
        public static let inputRejected: Code = "input_rejected"
        /// Used by executors and the simulation for a task whose executable failed.
        public static let executionFailed: Code = "execution_failed"
    }
}
