/// A request id for requests that arrive without nginx's `$request_id` (not a secret: a random-enough label).
enum RequestID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16)
    }
}
