import ArgumentParser
import Postgres
import SweepAPI
import SweepStore

/// Prints every route the worker serves, `METHOD /pattern` per line: tests compare it with public/openapi.yaml.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "routes", abstract: "List the API's routes.")

    func run() throws {
        // The pool opens connections lazily; listing routes never touches the database.
        let application = SweepApplication(database: Database(url: "postgresql:///unused", maxConnections: 1))
        for route in application.router.routeTable {
            print("\(route.method.rawValue) \(route.pattern)")
        }
    }
}
