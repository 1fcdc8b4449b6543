/// A JSON number that neither `Int64` nor `Double` holds exactly: an integer past Int64 (`2**64`, `-10**30`), or a
/// decimal of more than 17 significant digits (or outside Double's range) whose nearest Double is another number
/// (`3.14159265358979323846264338`, `1e400`, `1e-400`). A workflow system never alters a user's data, and
/// PostgreSQL's jsonb (numeric), Python's int and Temporal's payloads keep such numbers exactly, so the parser
/// keeps the literal here instead of rounding it. (A decimal of at most 17 significant digits is read as its
/// Double, as JavaScript and Python's json read it: 17 digits name every Double, and those readers cannot tell
/// `0.10000000000000001` from `0.1`.)
///
/// Written back as PostgreSQL writes the same jsonb number: plain decimal digits, no exponent, the scale the literal
/// implies (`1.5e-7` -> `0.00000015`, `1e400` -> `1` and 400 zeros, `12345678901234567890` unchanged). So a value
/// read from the database (which hands Swift that text) and the same value re-serialised by Swift print alike, in
/// every API answer.
///
/// Arithmetic on one (expressions, `doubleValue`) uses its Double approximation, as JavaScript does; only the
/// value itself is exact. Equality is by value: `1e400` equals `10e399`, and trailing zeros of a fraction do not
/// count (`0.10000000000000000001` equals `0.100000000000000000010`).
///
/// The payload is the literal alone (one String, as `.string` carries) so `JSONValue` does not grow.
public struct ExactNumber: Sendable {
    /// The literal as the document wrote it; validated JSON number grammar.
    public let literal: String

    /// The largest exponent (`e±N`) an exact literal may carry. PostgreSQL prints numbers without exponents, so
    /// `1e1000` is a thousand characters on every read: the bound keeps a small document from becoming a huge one.
    public static let maxExponent = 1000
    /// PostgreSQL numeric's own limits (beyond them jsonb refuses the value: "value overflows numeric format").
    static let maxIntegerDigits = 131_072
    static let maxScale = 16_383

    /// Only the parser makes these, from text it has checked against the JSON number grammar.
    init(validatedLiteral: String) { literal = validatedLiteral }

    /// The nearest Double (infinite past Double's range, zero below it): what arithmetic on the number uses.
    public var approximation: Double { Double(literal) ?? .nan }

    /// True when the literal is an integer (no fraction, no exponent), as Python's `json` would make it an `int`.
    public var isInteger: Bool { !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }

    /// The text PostgreSQL's jsonb output gives this number.
    public var canonicalText: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The literal split into sign, all digits (integer then fraction part), and where the decimal point falls in
    /// them (`pointPosition` digits before it, after the exponent is applied), with the scale PostgreSQL keeps.
    struct Parts {
        var negative: Bool
        var digits: Substring.UTF8View
        var pointPosition: Int
        var scale: Int
        var exponent: Int
    }

    /// Reads a literal that is valid JSON number grammar.
    static func parts(of literal: String) -> Parts {
        var utf8 = Substring(literal).utf8
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        let mantissaEnd = utf8.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? utf8.endIndex
        var exponent = 0
        if mantissaEnd != utf8.endIndex {
            var rest = utf8[utf8.index(after: mantissaEnd)...]
            var sign = 1
            if rest.first == UInt8(ascii: "-") { sign = -1; rest = rest.dropFirst() } else if rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
            for byte in rest {
                // Saturate: an exponent of twenty digits is refused by the caller, not trapped on.
                exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), Int(Int32.max))
            }
            exponent *= sign
        }
        let mantissa = utf8[..<mantissaEnd]
        let point = mantissa.firstIndex(of: UInt8(ascii: "."))
        let integerCount = point.map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        let fractionCount = point.map { mantissa.distance(from: mantissa.index(after: $0), to: mantissa.endIndex) } ?? 0
        var digits = mantissa
        if let point {
            // One view over both parts without copying is not possible across the point; the parts are rare, so a
            // copy of the digits is acceptable (this runs only for exact numbers).
            var joined = Substring(mantissa[..<point])
            joined += Substring(mantissa[mantissa.index(after: point)...])
            digits = joined.utf8
        }
        return Parts(negative: negative, digits: digits, pointPosition: integerCount + exponent,
                     scale: max(0, fractionCount - exponent), exponent: exponent)
    }

    /// Whether PostgreSQL's numeric (so jsonb) can store the literal, and its exponent is within `maxExponent`.
    static func isStorable(_ literal: String) -> Bool {
        let parts = parts(of: literal)
        return abs(parts.exponent) <= maxExponent && parts.scale <= maxScale && parts.pointPosition <= maxIntegerDigits
    }

    /// PostgreSQL's text of the number, appended as UTF-8.
    public func write(to out: inout [UInt8]) {
        let parts = ExactNumber.parts(of: literal)
        let digits = parts.digits
        let isZero = !digits.contains { $0 != UInt8(ascii: "0") }
        if parts.negative && !isZero { out.append(UInt8(ascii: "-")) }
        // The integer part: the digits before the point (zero-padded when the point lies past them), without
        // leading zeros, "0" when empty.
        let integerEnd = digits.index(digits.startIndex, offsetBy: min(max(parts.pointPosition, 0), digits.count))
        let integerDigits = digits[..<integerEnd].drop { $0 == UInt8(ascii: "0") }
        let padding = max(parts.pointPosition - digits.count, 0)
        if integerDigits.isEmpty {
            out.append(UInt8(ascii: "0"))
        } else {
            out.append(contentsOf: integerDigits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: padding))
        }
        guard parts.scale > 0 else { return }
        out.append(UInt8(ascii: "."))
        // The fraction: zeros between the point and the first digit when the point lies before them, then the
        // digits after the point; its length is the scale by construction.
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(-parts.pointPosition, 0)))
        out.append(contentsOf: digits[integerEnd...])
    }

    /// The value as (sign, significant digits, power of ten of the last one): equal exactly for equal numbers.
    private var normalised: (negative: Bool, digits: [UInt8], exponent: Int) {
        let parts = ExactNumber.parts(of: literal)
        var digits = Array(parts.digits.drop { $0 == UInt8(ascii: "0") })
        var trailing = 0
        while digits.last == UInt8(ascii: "0") { digits.removeLast(); trailing += 1 }
        if digits.isEmpty { return (false, [], 0) }
        // The last significant digit sits at 10^(pointPosition - count of all digits + trailing zeros removed).
        return (parts.negative, digits, parts.pointPosition - parts.digits.count + trailing)
    }
}

extension ExactNumber: Hashable {
    public static func == (a: ExactNumber, b: ExactNumber) -> Bool {
        if a.literal == b.literal { return true }
        let x = a.normalised, y = b.normalised
        return x.negative == y.negative && x.exponent == y.exponent && x.digits == y.digits
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalised
        hasher.combine(n.negative)
        hasher.combine(n.digits)
        hasher.combine(n.exponent)
    }
}
