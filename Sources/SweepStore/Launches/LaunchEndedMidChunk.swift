/// A launch ended (cancelled, failed) while a chunk of its expansion was inserted without its row lock
/// (`LaunchProgression.continueExpansionUnlocked`): the chunk's transaction must be rolled back, so that no run of
/// it is claimed in an ended launch; under the lock, the next chunk then ends the cursor.
public struct LaunchEndedMidChunk: Error {
    public let launchID: String
}
