/// One output stream: keeps the first `capacity` bytes and counts the rest.
struct OutputCapture {
    let capacity: Int
    private(set) var bytes: [UInt8] = []
    private(set) var totalBytes = 0

    init(capacity: Int) { self.capacity = capacity }

    var isTruncated: Bool { totalBytes > bytes.count }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalBytes += chunk.count
        let room = capacity - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
    }
}
