import SweepCrypto
import SweepJSON
import SweepStore
import Web

/// The run API's side of `input_files` for runs that have no working directory of Sweep's making (HTTP functions,
/// executors): the run's own input files, evaluated for it, listed and read with its task token. A run sees only
/// its own files; a name it did not declare is 404.
struct RunInputFileController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.open(.GET, "/api/v1/run/input_files", list)
        routes.open(.GET, "/api/v1/run/input_files/{name}", read)
    }

    /// `GET /api/v1/run/input_files`: `{"items": [{"name","size","sha256"}]}` in declared order.
    @Sendable func list(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try TaskTokenAuthenticator(database: database).holder(of: request)
        let files = try database.system { try RunInputFile.all($0, runRowID: holder.runRowID) }
        return .json(["items": .array(files.map { file in
            ["name": .string(file.name), "size": .int(Int64(file.contents.utf8.count)), "sha256": .string(Digest.sha256Hex(file.contents))]
        })])
    }

    /// `GET /api/v1/run/input_files/{name}`: the file's bytes (input files are text, at most 256 KiB each).
    @Sendable func read(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try TaskTokenAuthenticator(database: database).holder(of: request)
        let name = try request.parameter("name")
        guard let file = try database.system({ try RunInputFile.all($0, runRowID: holder.runRowID) }).first(where: { $0.name == name }) else {
            throw APIError.notFound("input file")
        }
        var response = Response.text(file.contents, contentType: "application/octet-stream")
        response.setHeader("X-Sweep-Sha256", Digest.sha256Hex(file.contents))
        return response
    }
}
