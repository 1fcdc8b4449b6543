import Foundation
import Glibc
import SweepModel
import SweepStore

/// A run's working directory when the task has files (DESIGN §6: one execution spec, two sandboxes). The one place
/// that stages files in and collects them out, for bubblewrap and podman alike:
///
///     ROOT/            0711 root: the supervisor's own files (a podman image archive, the forwarder's pid file)
///     ROOT/work/       owned by the sandbox user: input files (0644), artifacts (0444, read-only), what the task writes
///
/// Artifact staging and output collection move bytes through the blob store, so they run on `FileTransfers`, not
/// on the scheduler loop's thread; the run stays in flight (its lease renewed) meanwhile.
///
/// bubblewrap binds `work` at /work and starts there; podman mounts it at /work (`--volume`, `--workdir`). After the
/// run, whatever its end, the files matching `output_files` are stored (`RunFileLibrary.collect`), then the whole
/// tree is removed.
struct TaskWorkspace: Sendable {
    let root: String
    var work: String { root + "/work" }
    let files: RunFiles
    /// The sandbox's own files in `work` (a function's code.zip and runner): never collected, whatever the globs.
    var ownFiles: Set<String> = []

    /// Makes the directory with the input files in it (small, local: done on the loop's thread); the artifacts come
    /// next (`stageArtifacts`, off that thread). On failure nothing is left behind and the message says why.
    static func create(under base: String, files: RunFiles, services: TaskFileServices?) throws(TaskWorkspaceError) -> TaskWorkspace {
        guard services != nil else {
            throw TaskWorkspaceError("this scheduler has no blob store configured, so task files (input_files, artifacts, output_files) cannot be staged")
        }
        var template = Array(((base.hasSuffix("/") ? base : base + "/") + "sweep-files-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw TaskWorkspaceError("cannot create a working directory under \(base) (errno \(errno))") }
        let root = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let workspace = TaskWorkspace(root: root, files: files)
        do throws(TaskWorkspaceError) {
            chmod(root, 0o711)
            guard mkdir(workspace.work, 0o755) == 0 else { throw TaskWorkspaceError("cannot create \(workspace.work) (errno \(errno))") }
            for file in files.inputFiles {
                try write(Array(file.contents.utf8), to: workspace.work + "/" + file.name)
            }
            // The task's user owns the directory (it writes its outputs there), not the staged files.
            guard chown(workspace.work, SandboxSettings.uid, SandboxSettings.gid) == 0 else {
                throw TaskWorkspaceError("cannot hand \(workspace.work) to the sandbox user (errno \(errno))")
            }
        } catch {
            workspace.remove()
            throw error
        }
        return workspace
    }

    /// Copies the declared artifacts in from the blob store, read-only (blocking: run it off the loop's thread).
    func stageArtifacts(userID: UserID, services: TaskFileServices?) throws(TaskWorkspaceError) {
        guard let services else { throw TaskWorkspaceError("this scheduler has no blob store configured") }
        for name in files.artifacts {
            do {
                try services.artifacts.stage(userID: userID, name: name, to: work + "/" + name)
            } catch BlobError.notFound {
                throw TaskWorkspaceError("artifact \(name) is not uploaded (PUT /api/v1/artifacts/\(name))")
            } catch {
                throw TaskWorkspaceError("cannot stage artifact \(name): \(error)")
            }
        }
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(TaskWorkspaceError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TaskWorkspaceError("cannot create input file \(path) (errno \(errno))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TaskWorkspaceError("cannot write input file \(path) (errno \(errno))") }
            offset += n
        }
    }

    /// Stores the output files (after any end: a failed job's outputs are often what one needs); returns lines for
    /// the run's log about files that could not be kept.
    func collect(run: ClaimedRun, services: TaskFileServices?) -> [String] {
        guard !files.outputFiles.isEmpty, let services else { return [] }
        return services.outputs.collect(userID: run.userID, launchID: run.launchID, runID: run.id, directory: work, patterns: files.outputFiles,
                                        excluding: ownFiles)
    }

    /// Removes the tree without following the symlinks a task may have left.
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

struct TaskWorkspaceError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
