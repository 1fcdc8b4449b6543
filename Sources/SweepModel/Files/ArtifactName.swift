/// The name of an artifact (or of a file staged into a run's working directory): it must be safe as a single file
/// name everywhere it lands, so no separators, no leading dot (no `.`/`..`, no hidden files), printable ASCII
/// letters, digits, `.`, `_` and `-`, 1 to 255 bytes (the usual file-name limit).
public enum ArtifactName {
    public static let maxBytes = 255

    /// Why `name` is not acceptable, or nil when it is.
    public static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { return "the name must not be empty" }
        guard bytes.count <= maxBytes else { return "the name must be at most \(maxBytes) bytes" }
        guard bytes[0] != UInt8(ascii: ".") else { return "the name must not start with '.'" }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return "the name may hold only letters, digits, '.', '_' and '-'"
            }
        }
        return nil
    }
}
