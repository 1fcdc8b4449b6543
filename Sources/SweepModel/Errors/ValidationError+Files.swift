extension ValidationError.Code {
    /// An input file, artifact or output pattern name that is not a single safe file name (`ArtifactName`,
    /// `OutputPattern`): no `/`, no leading `.`, no path traversal.
    public static let invalidFileName: Self = "invalid_file_name"
    /// Two of a task's input files and artifacts would land under the same name.
    public static let duplicateFileName: Self = "duplicate_file_name"
}
