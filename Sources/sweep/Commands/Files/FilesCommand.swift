import ArgumentParser
import SweepJSON

/// `sweep files LAUNCH RUN`: a task run's output files; `sweep files LAUNCH RUN NAME [-o FILE]` downloads one
/// (verified against its SHA-256), like SWEEP's `job.get_output_file(name, save_as=…)`.
struct FilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "List a task run's output files, or download one.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    @Argument(help: ArgumentHelp("The task run id (e.g. 1_A).", valueName: "run"))
    var runID: String

    @Argument(help: ArgumentHelp("An output file to download.", valueName: "name"))
    var name: String?

    @Option(name: [.short, .customLong("output")], help: "Where to write it (default: ./NAME; '-' for standard output).")
    var output: String?

    func run() throws {
        let client = try options.client()
        guard let name else {
            let answer = try client.list("launches", launch, "tasks", runID, "files")
            options.emit(answer) {
                Table(columns: [Table.Column("NAME", "name"), Table.Column("SIZE", "size"), Table.Column("SHA256", "sha256")])
                    .render(answer["items"]?.arrayValue ?? [])
            }
            return
        }
        let path = output ?? name
        let (written, sha256) = try VerifiedDownload.save(client, ["launches", launch, "tasks", runID, "files", name], to: path, what: name)
        if path != "-" {
            options.emit(["name": .string(name), "path": .string(path), "size": .int(written), "sha256": .string(sha256)]) {
                "Downloaded \(name) to \(path): \(written) bytes, sha256 \(sha256)."
            }
        }
    }
}
