import Postgres
import Testing

@Suite struct ListenerTests {
    @Test func receivesNotifyFromAnotherConnection() throws {
        let url = try TestDatabase.url()
        let channel = TestDatabase.uniqueName("chan")
        let listener = try PostgresListener(url: url)
        let sender = try TestDatabase.connect()
        try listener.listen(channel)
        #expect(listener.socket >= 0)
        let payload = "hello ✓ 'quoted' \"double\" $1"
        try sender.notify(channel: channel, payload: payload)
        let received = try listener.wait(timeout: .seconds(5))
        #expect(received == [PostgresNotification(channel: channel, payload: payload, pid: sender.backendPID)])

        // Inside a transaction, NOTIFY is delivered at COMMIT, not before.
        try sender.transaction { tx in
            try tx.notify(channel: channel, payload: "one")
            try tx.notify(channel: channel, payload: "two")
        }
        var payloads: [String] = []
        while payloads.count < 2 {
            let batch = try listener.wait(timeout: .seconds(5))
            if batch.isEmpty { break }
            payloads += batch.map(\.payload)
        }
        #expect(payloads == ["one", "two"])
    }

    @Test func waitReturnsEmptyAfterTimeout() throws {
        let listener = try PostgresListener(url: try TestDatabase.url())
        try listener.listen(TestDatabase.uniqueName("quiet"))
        let clock = ContinuousClock()
        let start = clock.now
        let received = try listener.wait(timeout: .milliseconds(150))
        let elapsed = clock.now - start
        #expect(received.isEmpty)
        #expect(elapsed >= .milliseconds(140))
        #expect(elapsed < .seconds(3))
    }

    @Test func scopedListenUnlistensAndNamesAreValidated() throws {
        let url = try TestDatabase.url()
        let channel = TestDatabase.uniqueName("scoped")
        let listener = try PostgresListener(url: url)
        let sender = try TestDatabase.connect()
        let inside = try listener.withChannel(channel) { l in
            try sender.notify(channel: channel, payload: "in")
            return try l.wait(timeout: .seconds(5)).map(\.payload)
        }
        #expect(inside == ["in"])
        #expect(listener.channels.isEmpty)
        try sender.notify(channel: channel, payload: "after")
        #expect(try listener.wait(timeout: .milliseconds(100)).isEmpty)

        for bad in ["", "Upper", "1starts_with_digit", "semi;colon", "quote\"", "space here", String(repeating: "a", count: 64)] {
            let error = try #require(throws: PostgresError.self) { try listener.listen(bad) }
            #expect(error.code == .invalidChannel)
        }
        #expect(PostgresListener.isValidChannel("_ok_123"))
    }
}
