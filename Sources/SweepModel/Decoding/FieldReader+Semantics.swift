import SweepJSON

/// Readers for the v1.1 task properties: durations in seconds (fractions allowed, bounded by a year so a
/// millisecond value mistaken for seconds is refused), factors, flags and bounded text.
extension FieldReader {
    func seconds(_ key: String, minimum: Double, inclusive: Bool = true) throws(ValidationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            throw ValidationError(pointer / key, .invalidType, "\(key) must be a number of seconds, not \(value.typeName)")
        }
        let maximum = Double(ModelLimits.maxDelaySeconds)
        guard inclusive ? number >= minimum : number > minimum, number <= maximum else {
            throw ValidationError(pointer / key, .outOfRange,
                "\(key) must be \(inclusive ? "at least" : "more than") \(Self.text(minimum)) and at most \(Int(maximum)) seconds, got \(Self.text(number))")
        }
        return number
    }

    func number(_ key: String, in range: ClosedRange<Double>) throws(ValidationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            throw ValidationError(pointer / key, .invalidType, "\(key) must be a number, not \(value.typeName)")
        }
        guard range.contains(number) else {
            throw ValidationError(pointer / key, .outOfRange, "\(key) must be between \(Self.text(range.lowerBound)) and \(Self.text(range.upperBound)), got \(Self.text(number))")
        }
        return number
    }

    func bool(_ key: String) throws(ValidationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            throw ValidationError(pointer / key, .invalidType, "\(key) must be true or false, not \(value.typeName)")
        }
        return flag
    }

    /// Text shown to people: bounded, and on one line unless `multiline` (a label with a newline or an escape
    /// sequence would garble the CLI's table).
    func text(_ key: String, maxLength: Int, multiline: Bool) throws(ValidationError) -> String? {
        guard let string = try string(key) else { return nil }
        guard string.unicodeScalars.count <= maxLength else {
            throw ValidationError(pointer / key, .tooLarge, "\(key) is longer than \(maxLength) characters")
        }
        let allowed: (Unicode.Scalar) -> Bool = { scalar in
            scalar.value >= 0x20 && scalar.value != 0x7F || (multiline && (scalar == "\n" || scalar == "\t"))
        }
        guard string.unicodeScalars.allSatisfy(allowed) else {
            throw ValidationError(pointer / key, .invalidValue, "\(key) must not contain control characters\(multiline ? " other than newlines and tabs" : "")")
        }
        return string
    }

    private static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
