import Foundation
import SweepCrypto

/// A file downloaded from the API to a path (or standard output with `-`), streamed, under a temporary name until
/// it is complete and its SHA-256 matches the one the server announces (`X-Sweep-Sha256`): artifacts and run
/// output files alike.
enum VerifiedDownload {
    /// Returns the bytes written and their SHA-256 (lowercase hex).
    static func save(_ client: APIClient, _ segments: [String], to path: String, what: String) throws -> (size: Int64, sha256: String) {
        let toStdout = path == "-"
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
        let response = try client.download(segments) { chunk in
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
            throw CLIError(.serverError, "the download of \(what) is corrupt or incomplete (sha256 \(sha256), expected \(announced))")
        }
        if !toStdout {
            guard rename(partial, path) == 0 else { throw CLIError.usage("cannot write \(path)") }
            completed = true
        }
        return (written, sha256)
    }
}
