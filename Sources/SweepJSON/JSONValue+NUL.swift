extension JSONValue {
    /// The JSON pointer of the first string or key holding a NUL character, or nil. PostgreSQL's text and jsonb
    /// cannot store NUL, so request bodies with one are refused up front rather than failing in the database.
    public var pointerToNUL: String? {
        switch self {
        case .string(let s): return s.utf8.contains(0) ? "" : nil
        case .array(let a):
            for (i, element) in a.enumerated() {
                if let inner = element.pointerToNUL { return "/\(i)" + inner }
            }
            return nil
        case .object(let o):
            // The key is escaped only for the answer: escaping every key of every run's input on the way was a
            // tenth of a chunked expansion's CPU.
            func escaped(_ key: String) -> String { String(key.flatMap { $0 == "~" ? Array("~0") : $0 == "/" ? Array("~1") : [$0] }) }
            for (key, value) in o {
                if key.utf8.contains(0) { return "/" + escaped(key) }
                if let inner = value.pointerToNUL { return "/" + escaped(key) + inner }
            }
            return nil
        default: return nil
        }
    }
}
