import ArgumentParser
import SweepJSON

/// `sweep keys revoke ID`: the key stops working at once.
struct KeyRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an API key.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The key id (from `sweep keys list`).", valueName: "id"))
    var id: String

    func run() throws {
        let answer = try options.client().request(.delete, ["api-keys", id])
        options.emit(answer ?? ["revoked": .string(id)]) { "Revoked key \(id)." }
    }
}
