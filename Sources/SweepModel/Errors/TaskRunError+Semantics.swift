/// Run errors of the v1.1 task semantics.
extension TaskRunError.Code {
    public static let transformInputFailed: Self = "transform_input_failed"
    public static let commandFailed: Self = "command_failed"
    /// The workflow's `output` expression raised; the launch keeps its state and gets no output.
    public static let outputFailed: Self = "output_failed"
}
