import CCurl

/// The request header lines of one easy handle, as the `curl_slist` libcurl reads, rebuilt for each request in
/// storage kept across requests.
/// libcurl: CURLOPT_HTTPHEADER "does not copy the list, it needs to be kept around until after the transfer has
/// completed", so the handle that uses it owns it and rebuilds it only for its next request.
/// Why not `curl_slist_append`: it makes two allocations per line (node and copy), and as many frees at the end;
/// with six lines per task call that was a visible share of a scheduler's malloc/free. The list is the public
/// `struct curl_slist` libcurl only reads (it never frees or changes a list it is given), so the nodes live in one
/// reused array and the lines, NUL-terminated, in one reused byte buffer.
final class HeaderList {
    private var bytes: UnsafeMutablePointer<CChar>
    private var byteCapacity: Int
    private var byteCount = 0
    private var nodes: UnsafeMutablePointer<curl_slist>
    private var nodeCapacity: Int
    /// Where each line starts in `bytes` (offsets: `bytes` may move while lines are added).
    private var starts: [Int] = []

    init() {
        byteCapacity = 512
        bytes = .allocate(capacity: byteCapacity)
        nodeCapacity = 8
        nodes = .allocate(capacity: nodeCapacity)
        starts.reserveCapacity(nodeCapacity)
    }

    deinit {
        bytes.deallocate()
        nodes.deallocate()
    }

    /// Forgets the lines of the last request (call only once its transfer is over).
    func removeAll() {
        byteCount = 0
        starts.removeAll(keepingCapacity: true)
    }

    var isEmpty: Bool { starts.isEmpty }

    /// Adds `name: value`, or `name;` for an empty value (libcurl: "Name;" sends the header with no value).
    func append(name: String, value: String) {
        let start = byteCount
        write(name)
        if value.isEmpty {
            write(";")
        } else {
            write(": ")
            write(value)
        }
        finishLine(from: start)
    }

    /// Adds a line as it is (`Expect:` removes a header libcurl would add).
    func append(line: String) {
        let start = byteCount
        write(line)
        finishLine(from: start)
    }

    /// The list to hand to CURLOPT_HTTPHEADER, valid until the next change; nil when there are no lines.
    var list: UnsafeMutablePointer<curl_slist>? {
        guard !starts.isEmpty else { return nil }
        if starts.count > nodeCapacity {
            nodes.deallocate()
            nodeCapacity = starts.count * 2
            nodes = .allocate(capacity: nodeCapacity)
        }
        for (index, start) in starts.enumerated() {
            let next = index + 1 < starts.count ? nodes + index + 1 : nil
            (nodes + index).initialize(to: curl_slist(data: bytes + start, next: next))
        }
        return nodes
    }

    /// The lines in order (for tests and diagnostics).
    var lines: [String] { starts.map { String(cString: bytes + $0) } }

    private func finishLine(from start: Int) {
        reserve(1)
        bytes[byteCount] = 0
        byteCount += 1
        starts.append(start)
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return }
            reserve(utf8.count)
            UnsafeMutableRawPointer(bytes + byteCount).copyMemory(from: base, byteCount: utf8.count)
            byteCount += utf8.count
        }
    }

    private func reserve(_ more: Int) {
        guard byteCount + more > byteCapacity else { return }
        let capacity = max(byteCapacity * 2, byteCount + more)
        let grown = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }
}

@available(*, unavailable) extension HeaderList: Sendable {}
