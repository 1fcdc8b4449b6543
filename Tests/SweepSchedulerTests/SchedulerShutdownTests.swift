import Egress
import Foundation
import Glibc
import Logging
import Postgres
import SweepJSON
@testable import SweepScheduler
import SweepStore
import SweepTestSupport
import Testing

/// A whole scheduler loop (`SchedulerEngine`) on its own thread: it claims a run, calls its function, and when
/// stopped while the call is in flight, hands the run back without charging it an attempt.
@Suite(.serialized) struct SchedulerShutdownTests {
    /// A loopback listener that never answers: the kernel completes connections into its backlog, so a call to
    /// it stays in flight until aborted.
    final class SilentListener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard bound == 0, listen(fd, 64) == 0 else { throw TestFailure("cannot listen on loopback") }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(fd) }
    }

    @Test func aStoppingSchedulerHandsItsRunsBack() throws {
        let url = try TestDatabase.fresh()
        let database = Database(url: url, maxConnections: 4)
        let listener = try SilentListener()
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a"], baseURL: "http://127.0.0.1:\(listener.port)/")
        try tenant.registerWorkflow(TestWorkflows.single("w", properties: #"{"position": "start", "multiplicity": 3}"#))
        let id = try tenant.launch("w")

        // The silent listener is on loopback, which the default egress policy refuses (the run would fail at once).
        let configuration = SchedulerConfiguration(databaseURL: url, schedulerID: "stopping-1", egress: try EgressPolicy(allowList: "127.0.0.1/32"))
        let engine = SchedulerEngine(configuration: configuration, logger: Logger(label: "test"))
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? engine.run()
            done.signal()
        }
        thread.start()
        let driver = try StoreDriver(url: url)
        // Poll the database (not a sleep): the three runs are claimed and their calls in flight.
        let deadline = Date().addingTimeInterval(20)
        while try driver.value(Int.self, "SELECT count(*)::int FROM task_runs WHERE launch_id = \(id)::uuid AND state = 'running' AND claimed_by = 'stopping-1'") < 3 {
            guard Date() < deadline else { engine.stop(); throw TestFailure("runs were not claimed") }
            usleep(20_000)
        }
        engine.stop()
        #expect(done.wait(timeout: .now() + 15) == .success, "the loop returns after stop()")

        let rows = try driver.connection.query("SELECT state, attempt, max_attempts, claimed_by, lease_expires_at FROM task_runs WHERE launch_id = \(id)::uuid")
        #expect(rows.count == 3)
        for row in rows {
            #expect(try row.decode(String.self, column: "state") == "scheduled")
            #expect(try row.decode(Int.self, column: "attempt") == 1)
            #expect(try row.decode(Int.self, column: "max_attempts") == 4, "the attempt it used is given back")
            #expect(try row.decode(String?.self, column: "claimed_by") == nil)
        }
        #expect(try tenant.summary(id).state == "running", "the launch goes on elsewhere")
    }
}
