/// Run errors of the v1.1 task semantics.
extension TaskRunError.Code {
    public static let transformInputFailed: Self = "transform_input_failed"
    public static let commandFailed: Self = "command_failed"
    /// The workflow's `output` expression raised when the launch ended (what the launch then does is the caller's rule).
    public static let outputFailed: Self = "output_failed"
}
