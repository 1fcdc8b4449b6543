import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prepared-statement cache on vs off, on a scheduler-like point lookup. Opt-in (`SWEEP_PG_BENCH=1`): it is a
/// measurement, not a check, and the shared host is noisy.
@Suite(.enabled(if: getenv("SWEEP_PG_BENCH") != nil))
struct StatementCacheBenchmark {
    @Test func preparedVersusUnnamed() throws {
        let url = try TestDatabase.url()
        for capacity in [0, 128, 0, 128] {
            let db = try PostgresConnection(url: url, statementCacheCapacity: capacity)
            try db.simpleQuery(
                unsafeSQL: """
                    CREATE TEMP TABLE runs (id bigint PRIMARY KEY, state text NOT NULL, attempt int NOT NULL,
                      payload jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
                    INSERT INTO runs SELECT g, 'queued', 0, '{"a": 1}', now() FROM generate_series(1, 10000) g;
                    ANALYZE runs;
                    """)
            let n = 5000
            let clock = ContinuousClock()
            let elapsed = try clock.measure {
                for i in 0..<n {
                    let id = Int64(i % 10000 + 1)
                    let row = try db.query(
                        """
                        SELECT r.id, r.state, r.attempt, r.payload, r.updated_at FROM runs r
                        WHERE r.id = \(id) AND r.state = \("queued") AND r.attempt >= \(0)
                        """
                    ).first
                    _ = try row?.decode(Int64.self, at: 0)
                }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("statement cache \(capacity): \(Int(Double(n) / seconds)) queries/s")
        }
    }
}
