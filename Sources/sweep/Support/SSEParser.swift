/// An incremental parser for `text/event-stream` (the WHATWG rules the API follows): fed network chunks, which may
/// split a line or even a UTF-8 sequence anywhere, it returns the events completed so far.
struct SSEParser {
    struct Event {
        var id: String?
        var event: String?
        var data: String
    }

    private var pending: [UInt8] = []
    private var id: String?
    private var event: String?
    private var data: [String] = []
    private var sawCarriageReturn = false

    mutating func feed(_ chunk: [UInt8]) -> [Event] {
        var events: [Event] = []
        for byte in chunk {
            // CRLF, LF and CR each end a line; an LF right after a CR belongs to the same line end.
            if byte == 10 && sawCarriageReturn {
                sawCarriageReturn = false
                continue
            }
            sawCarriageReturn = byte == 13
            if byte == 10 || byte == 13 {
                if let event = endLine() { events.append(event) }
            } else {
                pending.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        if line.isEmpty {
            defer { event = nil; data = [] }
            guard !data.isEmpty || event != nil else { return nil }
            return Event(id: id, event: event, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil } // a comment: the server's heartbeat
        var field = line
        var value = ""
        if let colon = line.firstIndex(of: ":") {
            field = String(line[..<colon])
            value = String(line[line.index(after: colon)...])
            if value.hasPrefix(" ") { value.removeFirst() }
        }
        switch field {
        case "id": id = value
        case "event": event = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
