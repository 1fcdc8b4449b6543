import SweepJSON

/// One run's files, computed when it became ready and stored in its plan (`exec.files`): what the sandbox writes
/// and stages into its working directory, and which globs it collects from there after the run.
public struct RunFiles: Sendable, Hashable {
    public struct InputFile: Sendable, Hashable {
        public var name: String
        public var contents: String
        public init(name: String, contents: String) {
            self.name = name
            self.contents = contents
        }
    }

    public var inputFiles: [InputFile]
    public var artifacts: [String]
    public var outputFiles: [String]

    public init(inputFiles: [InputFile] = [], artifacts: [String] = [], outputFiles: [String] = []) {
        self.inputFiles = inputFiles
        self.artifacts = artifacts
        self.outputFiles = outputFiles
    }

    public var json: JSONValue {
        .object([
            "input_files": .array(inputFiles.map { .object(["name": .string($0.name), "contents": .string($0.contents)]) }),
            "artifacts": .array(artifacts.map(JSONValue.string)),
            "output_files": .array(outputFiles.map(JSONValue.string)),
        ])
    }

    /// Read back from a stored plan; names are re-checked, since the plan is data read from the database.
    public init?(json: JSONValue?) {
        guard let json, case .object = json else { return nil }
        inputFiles = (json["input_files"]?.arrayValue ?? []).compactMap { item in
            guard let name = item["name"]?.stringValue, ArtifactName.problem(name) == nil,
                  let contents = item["contents"]?.stringValue else { return nil }
            return InputFile(name: name, contents: contents)
        }
        artifacts = (json["artifacts"]?.arrayValue ?? []).compactMap(\.stringValue).filter { ArtifactName.problem($0) == nil }
        outputFiles = (json["output_files"]?.arrayValue ?? []).compactMap(\.stringValue).filter { OutputPattern.problem($0) == nil }
    }
}
