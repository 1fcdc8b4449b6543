import SweepExpression
import SweepJSON

/// A task's files (API.md "Files"): `input_files` written into its working directory, `artifacts` staged there
/// read-only, `output_files` (globs) collected from it after the run. Checked at registration: names are single safe
/// file names (`ArtifactName`), counts and literal sizes are bounded, `contents_expr` is parsed by the sandboxed
/// evaluator and may read only a task's input names.
public struct TaskFiles: Sendable, Hashable {
    public static let maxInputFiles = 64
    /// Bytes of one input file, literal or computed: they travel in the run's stored plan (jsonb), so they stay small;
    /// large inputs are artifacts.
    public static let maxInputFileBytes = 256 << 10
    public static let maxArtifacts = 32
    public static let maxOutputPatterns = 32

    public enum Contents: Sendable, Hashable {
        case literal(String)
        case expression(Expression)
    }

    public struct InputFile: Sendable, Hashable {
        public var name: String
        public var contents: Contents
    }

    public var inputFiles: [InputFile]
    public var artifacts: [String]
    public var outputFiles: [String]

    public init(inputFiles: [InputFile] = [], artifacts: [String] = [], outputFiles: [String] = []) {
        self.inputFiles = inputFiles
        self.artifacts = artifacts
        self.outputFiles = outputFiles
    }

    public var isEmpty: Bool { inputFiles.isEmpty && artifacts.isEmpty && outputFiles.isEmpty }

    init(_ reader: FieldReader) throws(ValidationError) {
        let pointer = reader.pointer
        var names: Set<String> = []
        func claim(_ name: String, at field: JSONPointer) throws(ValidationError) {
            if let problem = ArtifactName.problem(name) {
                throw ValidationError(field, .invalidFileName, "'\(name)' is not a usable file name: \(problem)")
            }
            guard names.insert(name).inserted else {
                throw ValidationError(field, .duplicateFileName, "two files of this task are named '\(name)'")
            }
        }

        var inputs: [InputFile] = []
        if let value = reader.value("input_files") {
            guard case .array(let items) = value else {
                throw ValidationError(pointer / "input_files", .invalidType, "input_files must be a list of {\"name\", \"contents\"} objects, not \(value.typeName)")
            }
            guard items.count <= Self.maxInputFiles else {
                throw ValidationError(pointer / "input_files", .tooLarge, "at most \(Self.maxInputFiles) input files")
            }
            for (index, item) in items.enumerated() {
                let at = pointer / "input_files" / index
                let file = try FieldReader(item, at: at, what: "an input file")
                let name = try file.requiredString("name")
                try claim(name, at: at / "name")
                let literal = try file.string("contents")
                let source = try file.string("contents_expr")
                switch (literal, source) {
                case (let text?, nil):
                    guard text.utf8.count <= Self.maxInputFileBytes else {
                        throw ValidationError(at / "contents", .tooLarge, "an input file holds at most \(Self.maxInputFileBytes) bytes; upload larger files as artifacts")
                    }
                    inputs.append(InputFile(name: name, contents: .literal(text)))
                case (nil, let source?):
                    inputs.append(InputFile(name: name, contents: .expression(
                        try TaskProperties.parse(source, at: at / "contents_expr", name: "contents_expr of input file \(name)"))))
                case (nil, nil):
                    throw ValidationError(at / "contents", .missingField, "an input file needs contents (a string) or contents_expr (an expression)")
                case (.some, .some):
                    throw ValidationError(at / "contents_expr", .invalidValue, "an input file has contents or contents_expr, not both")
                }
            }
        }
        inputFiles = inputs

        var staged: [String] = []
        if let list = try reader.stringList("artifacts") {
            guard list.count <= Self.maxArtifacts else {
                throw ValidationError(pointer / "artifacts", .tooLarge, "at most \(Self.maxArtifacts) artifacts")
            }
            for (index, name) in list.enumerated() {
                try claim(name, at: pointer / "artifacts" / index)
                staged.append(name)
            }
        }
        artifacts = staged

        var patterns: [String] = []
        if let list = try reader.stringList("output_files") {
            guard list.count <= Self.maxOutputPatterns else {
                throw ValidationError(pointer / "output_files", .tooLarge, "at most \(Self.maxOutputPatterns) output_files patterns")
            }
            for (index, pattern) in list.enumerated() {
                if let problem = OutputPattern.problem(pattern) {
                    throw ValidationError(pointer / "output_files" / index, .invalidFileName, "'\(pattern)' is not a usable output_files pattern: \(problem)")
                }
                patterns.append(pattern)
            }
        }
        outputFiles = patterns
    }

    /// The files of one run: contents computed over the run's standard input (as `command` is).
    func evaluate(input: [String: JSONValue], taskID: String) -> Result<RunFiles?, TaskRunError> {
        guard !isEmpty else { return .success(nil) }
        var files: [RunFiles.InputFile] = []
        for file in inputFiles {
            switch file.contents {
            case .literal(let text):
                files.append(.init(name: file.name, contents: text))
            case .expression(let expression):
                let value: JSONValue
                do {
                    value = try expression.evaluate(input)
                } catch {
                    return .failure(TaskRunError(code: .inputFilesFailed,
                        message: "contents_expr of input file \(file.name) of task \(taskID) could not be evaluated: \(error.description) in \(expression.source)"))
                }
                guard case .string(let text) = value else {
                    return .failure(TaskRunError(code: .inputFilesFailed,
                        message: "contents_expr of input file \(file.name) of task \(taskID) must give a string, but \(expression.source) gave a \(value.typeName)"))
                }
                guard text.utf8.count <= Self.maxInputFileBytes else {
                    return .failure(TaskRunError(code: .inputFilesFailed,
                        message: "input file \(file.name) of task \(taskID) would hold \(text.utf8.count) bytes, more than \(Self.maxInputFileBytes)"))
                }
                // The plan is stored as jsonb, which cannot hold NUL.
                guard !text.utf8.contains(0) else {
                    return .failure(TaskRunError(code: .inputFilesFailed,
                        message: "input file \(file.name) of task \(taskID) would hold a NUL character, which cannot be stored"))
                }
                files.append(.init(name: file.name, contents: text))
            }
        }
        return .success(RunFiles(inputFiles: files, artifacts: artifacts, outputFiles: outputFiles))
    }
}
