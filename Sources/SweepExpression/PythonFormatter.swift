import SweepJSON

/// Writes values the way Python's `str()` and `repr()` do, stopping as soon as the text outgrows its budget so
/// that `str()` of a large value cannot allocate more than `EvaluationLimits.maxResultSize`.
struct PythonFormatter {
    private(set) var text = ""
    private let budget: Int

    init(budget: Int) {
        self.budget = budget
    }

    /// `str(value)`: strings as they are, everything else as its repr.
    static func str(_ value: JSONValue, budget: Int) throws(ExpressionError) -> String {
        if case .string(let s) = value {
            guard s.utf8.count <= budget else { throw .limit("str() result is larger than \(budget)", at: nil) }
            return s
        }
        var formatter = PythonFormatter(budget: budget)
        try formatter.writeRepr(value)
        return formatter.text
    }

    /// A repr for error messages, cut short for big values.
    static func shortRepr(_ value: JSONValue) -> String {
        var formatter = PythonFormatter(budget: 80)
        do {
            try formatter.writeRepr(value)
            return formatter.text
        } catch {
            return String(formatter.text.prefix(80)) + "…"
        }
    }

    private mutating func append(_ piece: String) throws(ExpressionError) {
        text += piece
        guard text.utf8.count <= budget else { throw .limit("str() result is larger than \(budget)", at: nil) }
    }

    mutating func writeRepr(_ value: JSONValue) throws(ExpressionError) {
        switch value {
        case .null: try append("None")
        case .bool(let b): try append(b ? "True" : "False")
        case .int(let i): try append(String(i))
        case .double(let d): try append(PythonFormatter.floatRepr(d))
        case .exactNumber(let n): try append(n.canonicalText)
        case .string(let s): try append(PythonFormatter.stringRepr(s))
        case .array(let elements):
            try append("[")
            for (i, element) in elements.enumerated() {
                if i > 0 { try append(", ") }
                try writeRepr(element)
            }
            try append("]")
        case .object(let object):
            // Python keeps insertion order, which JSON objects do not have; sorted keys keep the output stable.
            try append("{")
            for (i, key) in object.keys.sorted().enumerated() {
                if i > 0 { try append(", ") }
                try append(PythonFormatter.stringRepr(key))
                try append(": ")
                try writeRepr(object[key]!)
            }
            try append("}")
        }
    }

    /// Python's repr quoting: single quotes unless the text has a single quote and no double quote.
    static func stringRepr(_ s: String) -> String {
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case quote: out.append("\\"); out.append(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\x" + (hex.count < 2 ? "0" : "") + hex).unicodeScalars)
            default: out.append(scalar)
            }
        }
        out.append(quote)
        return String(out)
    }

    /// Python's float repr: the shortest digits that round-trip (which Swift's `description` also finds), laid out
    /// positionally for decimal exponents in -4..<16 and as `d.ddde±XX` otherwise.
    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let sign = d < 0 ? "-" : ""
        let swift = "\(Swift.abs(d))"
        let parts = swift.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1])! : 0
        let pointOffset = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        // value = 0.digits × 10^decimalPoint
        var decimalPoint = exponent + pointOffset
        while digits.first == "0" {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { return sign + "0.0" }
        let scientific = decimalPoint - 1
        if scientific >= -4 && scientific < 16 {
            if decimalPoint <= 0 {
                return sign + "0." + String(repeating: "0", count: -decimalPoint) + String(digits)
            }
            if decimalPoint >= digits.count {
                return sign + String(digits) + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
            }
            return sign + String(digits[..<decimalPoint]) + "." + String(digits[decimalPoint...])
        }
        let fraction = digits.count > 1 ? "." + String(digits[1...]) : ""
        let magnitude = Swift.abs(scientific)
        return sign + String(digits[0]) + fraction + "e" + (scientific < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    }
}
