extension TaskRunError.Code {
    /// An input file's `contents_expr` raised, or gave something that is not a storable string of at most
    /// `TaskFiles.maxInputFileBytes`.
    public static let inputFilesFailed: Self = "input_files_failed"
}
