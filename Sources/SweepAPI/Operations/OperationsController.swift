import Foundation
import Logging
import Synchronization
import SweepStore
import Web

/// `/livez`, `/readyz` and `/metrics`: for supervisors, load balancers and Prometheus, outside `/api/v1` and
/// without authentication (nginx serves `/metrics` to loopback clients only).
struct OperationsController: Controller {
    let database: Database
    /// Migration versions this build expects applied; nil when the worker was not told where migrations are.
    let expectedMigrations: Set<Int>?
    let statuses: HTTPStatusCounts
    let runStarts = RunStartMetrics()
    /// The route table, known only once every controller registered; filled by the application.
    let router: RouterReference
    /// Executors' claims run by this worker (`ExecutorController`).
    var executorClaims = ExecutorClaimCounts()
    /// The worker's parked requests, for `sweep_parked_requests`.
    var parking: ParkedRequests? = nil
    /// The transport's request threads, for `sweep_worker_request_threads`.
    var requestThreads: (any RequestThreadGauge)? = nil

    func register(_ routes: inout Routes) {
        routes.open(.GET, "/livez") { _, _ in .json(["status": "ok"]) }
        routes.open(.GET, "/readyz") { _, context in readiness(context) }
        routes.open(.GET, "/metrics") { _, context in metrics(context) }
    }

    private func readiness(_ context: RequestContext) -> Response {
        do {
            let applied = try database.system { try OperationsQuery($0).appliedMigrations() }
            if let expected = expectedMigrations {
                let missing = expected.subtracting(applied).sorted()
                guard missing.isEmpty else {
                    return unready("migrations_pending", "migrations not applied yet: \(missing.map(String.init).joined(separator: ", "))")
                }
            } else if applied.isEmpty {
                return unready("migrations_pending", "no migration has been applied")
            }
            return .json(["status": "ok"])
        } catch {
            context.logger.warning("not ready: the database does not answer", metadata: ["error": "\(error)"])
            return unready("database_unavailable", "PostgreSQL does not answer")
        }
    }

    private func unready(_ code: String, _ message: String) -> Response {
        APIError(status: .serviceUnavailable, code: code, message: message).response
    }

    private func metrics(_ context: RequestContext) -> Response {
        // Taken first: the queries below give this thread's place to a sleeper while they wait (ActiveThreadGate).
        let threads = requestThreads?.requestThreads
        var out = PrometheusText()
        out.family("sweep_http_requests_total", "counter", "HTTP answers of this worker by status code.")
        for (code, count) in statuses.nonZero {
            out.sample("sweep_http_requests_total", [("status", String(code))], Double(count))
        }
        out.family("sweep_http_request_duration_seconds", "histogram", "Time to answer a request, per route (authentication included).")
        for route in router.latencies {
            out.histogram("sweep_http_request_duration_seconds", [("method", route.method.rawValue), ("route", route.pattern)], route.histogram)
        }
        // Database-derived families: one failing (PostgreSQL down, a timeout) leaves it out and says so.
        var failures = 0
        do {
            let counts = try database.system { try OperationsQuery($0).runsByState() }
            out.family("sweep_task_runs_total", "gauge", "Task runs stored, by state (scatter gates that did their job are not counted).")
            for (state, count) in counts { out.sample("sweep_task_runs_total", [("state", state)], Double(count)) }
        } catch {
            failures += 1
            context.logger.warning("metrics: run counts failed", metadata: ["error": "\(error)"])
        }
        do {
            let running = try database.system { try OperationsQuery($0).runningByUser() }
            out.family("sweep_user_running_runs", "gauge", "Task runs running now, per user.")
            for (user, count) in running { out.sample("sweep_user_running_runs", [("user", user)], Double(count)) }
        } catch {
            failures += 1
            context.logger.warning("metrics: running runs per user failed", metadata: ["error": "\(error)"])
        }
        do {
            try database.system { try runStarts.refresh(OperationsQuery($0)) }
        } catch {
            failures += 1
            context.logger.warning("metrics: run starts failed", metadata: ["error": "\(error)"])
        }
        out.family("sweep_scheduler_claims_total", "counter", "Runs claimed by the schedulers (run starts, retries included) since this worker's first scrape.")
        out.sample("sweep_scheduler_claims_total", [], Double(runStarts.claims.value))
        out.family("sweep_queue_wait_seconds", "histogram", "Time from a run being ready to its start, for runs started since this worker's first scrape.")
        out.histogram("sweep_queue_wait_seconds", [], runStarts.queueWait)
        out.family("sweep_executor_claims_total", "counter", "Executor claim queries run by this worker, by whether they assigned runs.")
        out.sample("sweep_executor_claims_total", [("result", "assigned")], Double(executorClaims.assigned.value))
        out.sample("sweep_executor_claims_total", [("result", "empty")], Double(executorClaims.empty.value))
        if let parking {
            out.family("sweep_parked_requests", "gauge", "Requests parked on this worker (long-polls, waits), held by its registry.")
            out.sample("sweep_parked_requests", [], Double(parking.registeredCount))
        }
        if let counts = threads {
            out.family("sweep_worker_request_threads", "gauge", "Request threads of this worker: running (waiting for a request or serving one) or sleeping until a running one waits on PostgreSQL.")
            out.sample("sweep_worker_request_threads", [("state", "running")], Double(counts.running))
            out.sample("sweep_worker_request_threads", [("state", "sleeping")], Double(counts.sleeping))
            out.family("sweep_worker_request_thread_overruns_total", "counter", "Times a sleeping request thread ran beside running ones that had made no progress for 50 ms in a wait not marked as blocking.")
            out.sample("sweep_worker_request_thread_overruns_total", [], Double(counts.overruns))
        }
        out.family("sweep_metrics_scrape_errors", "gauge", "Database-derived metric families left out of this scrape.")
        out.sample("sweep_metrics_scrape_errors", [], Double(failures))
        return .text(out.text, contentType: PrometheusText.contentType)
    }
}

/// The routes' latency histograms, known only once every controller registered; set once by the application (so
/// `/metrics` lists every route, its own included).
final class RouterReference: Sendable {
    private let value = Mutex<[(method: HTTPMethod, pattern: String, histogram: LatencyHistogram)]>([])

    func set(_ router: Router) {
        let latencies = router.routeLatencies
        value.withLock { $0 = latencies }
    }

    var latencies: [(method: HTTPMethod, pattern: String, histogram: LatencyHistogram)] { value.withLock { $0 } }
}
