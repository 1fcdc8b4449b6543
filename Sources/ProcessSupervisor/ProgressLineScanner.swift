/// Finds `::progress::<percent> <message>` lines in a stdout byte stream, however it is split into reads.
/// Lines longer than `maximumLineLength` are skipped, so a child printing without newlines costs no memory.
struct ProgressLineScanner {
    static let marker = Array("::progress::".utf8)
    let maximumLineLength: Int
    private var line: [UInt8] = []
    private var overlong = false

    init(maximumLineLength: Int = 4096) { self.maximumLineLength = maximumLineLength }

    /// The progress reports completed by this chunk, in order.
    mutating func scan(_ chunk: UnsafeRawBufferPointer) -> [(percent: Double?, message: String)] {
        var reports: [(percent: Double?, message: String)] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if !overlong, let report = Self.parse(line) { reports.append(report) }
                line.removeAll(keepingCapacity: true)
                overlong = false
            } else if !overlong {
                // Only lines that can still be progress lines are kept.
                if line.count < Self.marker.count && byte != Self.marker[line.count] {
                    overlong = true
                    line.removeAll(keepingCapacity: true)
                } else if line.count >= maximumLineLength {
                    overlong = true
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                }
            }
        }
        return reports
    }

    static func parse(_ line: [UInt8]) -> (percent: Double?, message: String)? {
        guard line.starts(with: marker) else { return nil }
        var rest = String(decoding: line.dropFirst(marker.count), as: UTF8.self)
        if rest.hasSuffix("\r") { rest.removeLast() }
        rest = String(rest.drop(while: { $0 == " " }))
        let token = rest.prefix(while: { $0 != " " })
        if let percent = Double(token), percent.isFinite {
            let message = rest.dropFirst(token.count).drop(while: { $0 == " " })
            return (min(max(percent, 0), 100), String(message))
        }
        return (nil, rest)
    }
}
