import SweepStore
import Web

/// An output file's bytes, written after the headers on the request's thread.
struct RunFileBody: ResponseBodyProducer {
    let library: RunFileLibrary
    let record: RunFileRecord

    func produce(_ emit: (UnsafeRawBufferPointer) -> Bool) throws {
        try library.read(record) { emit($0) }
    }
}
