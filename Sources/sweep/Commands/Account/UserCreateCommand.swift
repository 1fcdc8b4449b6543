import ArgumentParser
import Foundation
import SweepJSON

/// `sweep users create NAME [--admin] [--password-stdin]`: without --password-stdin a password is generated and
/// printed once.
struct UserCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a user.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The new user's name.", valueName: "name"))
    var name: String

    @Flag(help: "Make the user an administrator.")
    var admin = false

    @Flag(help: "Read the password from stdin (otherwise one is generated and printed).")
    var passwordStdin = false

    func run() throws {
        let generated = !passwordStdin
        let password = passwordStdin ? Terminal.readStandardInput() : UserCreateCommand.generatePassword()
        guard password.utf8.count >= 8 else { throw CLIError.usage("the password must be at least 8 bytes") }
        let answer = try options.client().request(
            .post, ["users"], json: ["username": .string(name), "password": .string(password), "is_admin": .bool(admin)])
        var shown = answer ?? .null
        if generated, case .object(var object) = shown {
            object["password"] = .string(password)
            shown = .object(object)
        }
        options.emit(shown) {
            let kind = admin ? "administrator" : "user"
            return generated ? "Created \(kind) \(name) with password:\n\(password)" : "Created \(kind) \(name)."
        }
    }

    /// 24 characters from a 62-letter alphabet (~143 bits) out of the system's CSPRNG.
    static func generatePassword() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
