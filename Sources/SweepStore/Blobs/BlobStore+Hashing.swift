import Logging
import SweepCrypto

/// Streaming a new blob in while its SHA-256 is computed, and letting go of a blob nothing will point at: what
/// every way bytes enter the store (artifact uploads, run output files, files from disk) shares.
extension BlobStore {
    /// Stores `length` bytes from `read` under `key`; returns their SHA-256 (lowercase hex). A failed put deletes
    /// what it wrote (`discard`) before it throws.
    public func putHashing(_ key: BlobKey, length: Int64, logger: Logger,
                           from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> String {
        let hasher = SHA256Hasher()
        do {
            try put(key, length: length) { buffer in
                let n = try read(buffer)
                if n > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
                return n
            }
        } catch {
            discard(key, logger: logger)
            throw error
        }
        return hasher.finalizeHex()
    }

    /// Deletes a blob nothing points at (a failed or refused upload, a replaced file); a failure is logged, not
    /// thrown: the caller's own outcome matters more than the leftover bytes.
    public func discard(_ key: BlobKey, logger: Logger) {
        do {
            try delete(key)
        } catch {
            logger.warning("could not delete an unreferenced blob", metadata: ["blob": "\(key)", "error": "\(error)"])
        }
    }
}
