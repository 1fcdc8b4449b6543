import ArgumentParser
import HTTPClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A custom main instead of `Sweep.main()`: scripts rely on documented exit codes, and ArgumentParser's default for a
// usage error is 64 (EX_USAGE) where ours is 2; API failures carry their own code (see ExitStatus).
HTTPClient.globalInit()
do {
    var command = try Sweep.parseAsRoot()
    try command.run()
} catch let error as CLIError {
    error.report()
    exit(error.status.rawValue)
} catch {
    let code = Sweep.exitCode(for: error)
    if code == .validationFailure {
        Terminal.standardError(Sweep.fullMessage(for: error))
        exit(ExitStatus.usage.rawValue)
    }
    Sweep.exit(withError: error)
}
