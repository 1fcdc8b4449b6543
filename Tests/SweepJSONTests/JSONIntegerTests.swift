import SweepJSON
import Testing

@Test func integersSerialiseAsTheirDecimalDigits() {
    for value: Int64 in [0, 7, 10, -1, -10, 1234567890, -987654321, .max, .min, .max - 1, .min + 1] {
        #expect(JSONValue.int(value).jsonString == String(value), "\(value)")
    }
    #expect(JSONValue.array([1, -2, 30]).jsonString == "[1,-2,30]")
}
