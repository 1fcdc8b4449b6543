/// Text that PostgreSQL's `text` and `jsonb` can hold: valid UTF-8 without NUL. Log text, progress messages and
/// error excerpts come from tenant programs and are made storable here (NUL removed, invalid UTF-8 replaced by
/// U+FFFD) rather than refused: a log is worth keeping even when a program printed a stray byte. Outputs are data
/// and are never altered; see `OutputAdmission`.
public enum StorableText {
    /// The bytes as storable text: invalid UTF-8 sequences become U+FFFD, NUL bytes are dropped.
    public static func sanitised(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.utf8.contains(0) ? sanitised(text) : text
    }

    /// The string without NUL characters (a Swift string is always valid Unicode already).
    public static func sanitised(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return String(decoding: text.utf8.lazy.filter { $0 != 0 }, as: UTF8.self)
    }

    /// Why these bytes cannot be stored as text, or nil when they can.
    public static func problem(in bytes: some Collection<UInt8>) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return "it is not valid UTF-8" }
        return text.utf8.contains(0) ? "it contains the NUL character (\\u0000)" : nil
    }
}
