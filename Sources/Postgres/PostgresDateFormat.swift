#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// timestamptz text in and out, by hand: DateFormatter is slow and not thread-safe, and these are hot paths.
/// Dates are sent as ISO 8601 UTC with microseconds; the server replies in ISO DateStyle
/// (`2026-11-22 19:09:38.123456+00`), which the connection pins with `SET DateStyle` and `SET TimeZone`.
enum PostgresDateFormat {
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let (secs, frac) = floorDivMod(micros, 1_000_000)
        let (days, sod) = floorDivMod(secs, 86_400)
        let (y, m, d) = civil(fromDays: days)
        var out = ""
        out.reserveCapacity(27)
        pad(&out, y, 4)
        out += "-"
        pad(&out, m, 2)
        out += "-"
        pad(&out, d, 2)
        out += "T"
        pad(&out, sod / 3600, 2)
        out += ":"
        pad(&out, (sod / 60) % 60, 2)
        out += ":"
        pad(&out, sod % 60, 2)
        out += "."
        pad(&out, frac, 6)
        out += "Z"
        return out
    }

    /// Parses `YYYY-MM-DD[ T]HH:MM:SS[.f{1,6}][Z|±HH[:MM[:SS]]]`, plus `infinity` / `-infinity`.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        if equalsASCII(b, "infinity") { return .distantFuture }
        if equalsASCII(b, "-infinity") { return .distantPast }
        var i = 0
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int64? {
            var v: Int64 = 0
            var n = 0
            while i < b.count, n < maxDigits, b[i] >= 48, b[i] <= 57 {
                v = v * 10 + Int64(b[i] - 48)
                i += 1
                n += 1
            }
            return n >= minDigits ? v : nil
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4, 9), expect(UInt8(ascii: "-")), let month = number(2, 2),
            expect(UInt8(ascii: "-")), let day = number(2, 2)
        else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "T") else { return nil }
        i += 1
        guard let hour = number(2, 2), expect(UInt8(ascii: ":")), let minute = number(2, 2),
            expect(UInt8(ascii: ":")), let second = number(2, 2)
        else { return nil }
        var micros: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            let start = i
            guard let f = number(1, 6) else { return nil }
            var scale = 6 - (i - start)
            micros = f
            while scale > 0 {
                micros *= 10
                scale -= 1
            }
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }  // beyond microseconds: dropped
        }
        var offset: Int64 = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2, 2) else { return nil }
                var om: Int64 = 0
                var os: Int64 = 0
                if expect(UInt8(ascii: ":")) {
                    guard let v = number(2, 2) else { return nil }
                    om = v
                    if expect(UInt8(ascii: ":")) {
                        guard let v = number(2, 2) else { return nil }
                        os = v
                    }
                }
                offset = sign * (oh * 3600 + om * 60 + os)
            }
        }
        guard i == b.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }  // a " BC" suffix or anything else unexpected lands here
        let days = daysFromCivil(year, month, day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(secs) + Double(micros) / 1_000_000)
    }

    private static func equalsASCII(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard b.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for k in 0..<b.count where b[k] != p[k] { return false }
        return true
    }

    private static func pad(_ out: inout String, _ v: Int64, _ width: Int) {
        let s = String(v)
        if s.utf8.count < width { out += String(repeating: "0", count: width - s.utf8.count) }
        out += s
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, days since 1970-01-01).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
