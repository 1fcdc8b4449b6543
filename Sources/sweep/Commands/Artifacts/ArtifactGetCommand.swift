import ArgumentParser
import Foundation
import SweepCrypto
import SweepJSON

/// `sweep artifact get NAME [-o FILE]`: streams the artifact to a file (default: its name in the current folder;
/// `-` for standard output) and checks it against the SHA-256 the server announces.
struct ArtifactGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Download an artifact.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The artifact's name.", valueName: "name"))
    var name: String

    @Option(name: [.short, .customLong("output")], help: "Where to write it (default: ./NAME; '-' for standard output).")
    var output: String?

    func run() throws {
        let client = try options.client()
        let path = output ?? name
        let toStdout = path == "-"
        // A partial file under a temporary name, renamed only when complete and verified.
        let partial = toStdout ? "" : path + ".sweep-partial"
        let fd = toStdout ? STDOUT_FILENO : open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError.usage("cannot write \(path)") }
        var completed = false
        defer {
            if !toStdout {
                close(fd)
                if !completed { unlink(partial) }
            }
        }
        let hasher = SHA256Hasher()
        var written: Int64 = 0
        var writeFailed = false
        let response = try client.download(["artifacts", name]) { chunk in
            hasher.update(chunk)
            var offset = 0
            while offset < chunk.count {
                let n = chunk.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, chunk.count - offset) }
                if n <= 0 {
                    writeFailed = true
                    return false
                }
                offset += n
            }
            written += Int64(chunk.count)
            return true
        }
        if writeFailed { throw CLIError.usage("cannot write \(path)") }
        let sha256 = hasher.finalizeHex()
        if let announced = response.header("X-Sweep-Sha256"), announced != sha256 {
            throw CLIError(.serverError, "the download of \(name) is corrupt or incomplete (sha256 \(sha256), expected \(announced))")
        }
        if !toStdout {
            guard rename(partial, path) == 0 else { throw CLIError.usage("cannot write \(path)") }
            completed = true
            options.emit(["name": .string(name), "path": .string(path), "size": .int(written), "sha256": .string(sha256)]) {
                "Downloaded \(name) to \(path): \(written) bytes, sha256 \(sha256)."
            }
        }
    }
}
