import SweepStore
import Web

/// `GET /api/v1/health`: no authentication, answers while the worker can reach PostgreSQL. A `SELECT 1` that
/// succeeded within the last `freshness` stands for the next calls (a load balancer polling it many times a second
/// costs no round trip each); once stale, one call checks again while the others answer from it (`RecentSuccess`);
/// after a failed check every call tries again and gets the 503. `/readyz` (OperationsController) always asks the
/// database.
struct HealthController: Controller {
    static let freshness: Duration = .seconds(1)

    let database: Database
    let reachable = RecentSuccess(freshness: HealthController.freshness)

    func register(_ routes: inout Routes) {
        routes.open(.GET, "/api/v1/health") { _, _ in
            try reachable.check { _ = try database.system { try $0.query("SELECT 1 AS one") } }
            return .json(["status": "ok"])
        }
    }
}
