/// An `output_files` pattern: a file-name glob (`frame_*.png`, `output?.txt`, `[ab].dat`) matched against the
/// names at the top of the run's working directory. No `/` (so nothing outside that directory, and no walk of a tree
/// the task could make arbitrarily deep), no leading `.`; otherwise the characters of `ArtifactName` plus `*?[]`.
public enum OutputPattern {
    public static let maxBytes = 255

    public static func problem(_ pattern: String) -> String? {
        let bytes = Array(pattern.utf8)
        guard !bytes.isEmpty else { return "the pattern must not be empty" }
        guard bytes.count <= maxBytes else { return "the pattern must be at most \(maxBytes) bytes" }
        guard bytes[0] != UInt8(ascii: ".") else { return "the pattern must not start with '.'" }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "?"),
                 UInt8(ascii: "["), UInt8(ascii: "]"):
                continue
            case UInt8(ascii: "/"):
                return "output files are matched at the top of the working directory: no '/'"
            default:
                return "a pattern may hold only letters, digits, '.', '_', '-' and the glob characters '*', '?', '[', ']'"
            }
        }
        return nil
    }

    /// fnmatch-style matching of one file name (no `/` in either): `*` any run, `?` one byte, `[…]` a set with ranges
    /// and `!`/`^` negation. A leading `.` in the name is never matched by a wildcard.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8), n = Array(name.utf8)
        if n.first == UInt8(ascii: "."), p.first != UInt8(ascii: ".") { return false }
        var pi = 0, ni = 0
        var starP = -1, starN = 0
        while ni < n.count {
            if pi < p.count {
                switch p[pi] {
                case UInt8(ascii: "*"):
                    starP = pi; starN = ni; pi += 1
                    continue
                case UInt8(ascii: "?"):
                    pi += 1; ni += 1
                    continue
                case UInt8(ascii: "["):
                    if let (matched, next) = matchSet(p, from: pi, byte: n[ni]) {
                        if matched { pi = next; ni += 1; continue }
                    } else if p[pi] == n[ni] {
                        pi += 1; ni += 1; continue
                    }
                default:
                    if p[pi] == n[ni] { pi += 1; ni += 1; continue }
                }
            }
            guard starP >= 0 else { return false }
            pi = starP + 1; starN += 1; ni = starN
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// A `[…]` set at `start`: whether `byte` is in it and where the pattern continues; nil when unterminated.
    private static func matchSet(_ p: [UInt8], from start: Int, byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^") { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count, p[i] != UInt8(ascii: "]") || first {
            first = false
            if i + 2 < p.count, p[i + 1] == UInt8(ascii: "-"), p[i + 2] != UInt8(ascii: "]") {
                if p[i] <= byte && byte <= p[i + 2] { matched = true }
                i += 3
            } else {
                if p[i] == byte { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negate, i + 1)
    }
}
