/// Request ids for one request thread: 32 lowercase hex digits (128 bits, the W3C trace-id shape), from xoshiro256**
/// seeded once from the system's CSPRNG. Not a secret: a label for log lines, `X-Request-Id` and a request's own
/// trace. The worker makes them rather than nginx: nginx's `$request_id` draws from OpenSSL's RAND_bytes and calls
/// `getpid` on every request (2% of the machine under `/me` load, docs/PLATFORM-NOTES.md "Session 11").
struct RequestID {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var seed = SystemRandomNumberGenerator()
        state = (seed.next(), seed.next(), seed.next(), seed.next())
        // xoshiro needs a state that is not all zero; the system's generator never gives that in practice.
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    /// The next id.
    mutating func make() -> String {
        let high = next(), low = next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                buffer[index] = Self.digits[Int((high >> UInt64(60 - 4 * index)) & 0xf)]
                buffer[16 + index] = Self.digits[Int((low >> UInt64(60 - 4 * index)) & 0xf)]
            }
            return 32
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// xoshiro256** (Blackman and Vigna).
    private mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3.rotatedLeft(45)
        return result
    }
}

private extension UInt64 {
    func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
