import SweepStore
import Web

/// `GET /api/v1/health`: no authentication, answers while the worker can reach PostgreSQL.
struct HealthController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.open(.GET, "/api/v1/health") { _, _ in
            _ = try database.system { try $0.query("SELECT 1 AS one") }
            return .json(["status": "ok"])
        }
    }
}
