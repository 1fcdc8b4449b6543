import SweepStore
import Web

/// An artifact's bytes, written after the headers on the request's thread.
struct ArtifactBody: ResponseBodyProducer {
    let library: ArtifactLibrary
    let record: ArtifactRecord

    func produce(_ emit: (UnsafeRawBufferPointer) -> Bool) throws {
        try library.read(record) { emit($0) }
    }
}
