import ArgumentParser
import Foundation
import SweepJSON

/// `sweep artifact upload FILE [--name NAME]`: streams the file up with its SHA-256, which the server checks.
struct ArtifactUploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload a file as an artifact (replacing one of the same name).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The file to upload.", valueName: "file"))
    var file: String

    @Option(help: "The artifact's name (default: the file's name).")
    var name: String?

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read the file \(file)") }
    }

    func run() throws {
        let artifactName = name ?? (file as NSString).lastPathComponent
        let client = try options.client()
        // Hashing first costs a local read; the server then refuses a body that changed on the way (422).
        let (sha256, length) = try APIClient.sha256(ofFile: file)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.usage("cannot read \(file)") }
        defer { close(fd) }
        let answer = try client.upload(["artifacts", artifactName], fd: fd, length: length, headers: [("X-Sweep-Sha256", sha256)])
        options.emit(answer) { "Uploaded \(artifactName): \(length) bytes, sha256 \(sha256)." }
    }
}
