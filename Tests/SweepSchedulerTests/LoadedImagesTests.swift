import Testing
@testable import SweepScheduler

/// Concurrent starts of one image share the archive the first read (one read from the database, not one per run),
/// and it is let go with the last run carrying it.
@Suite struct LoadedImagesTests {
    @Test func runsStartingMeanwhileShareTheCarriedArchiveUntilTheLastEnds() {
        let images = LoadedImages()
        #expect(images.carried("sha256:a") == nil)
        images.carry(runID: 1, imageID: "sha256:a", archive: [1, 2, 3])
        images.carry(runID: 2, imageID: "sha256:a", archive: images.carried("sha256:a") ?? [])
        #expect(images.carried("sha256:a") == [1, 2, 3])
        #expect(images.carried("sha256:b") == nil)
        images.settle(runID: 1, succeeded: false)
        #expect(images.carried("sha256:a") == [1, 2, 3])
        #expect(!images.contains("sha256:a"))
        images.settle(runID: 2, succeeded: true)
        #expect(images.carried("sha256:a") == nil)
        #expect(images.contains("sha256:a"))
    }

    @Test func aRunThatCarriedNothingSettlesNothing() {
        let images = LoadedImages()
        images.carry(runID: 1, imageID: "sha256:a", archive: [9])
        images.settle(runID: 7, succeeded: true)
        #expect(images.carried("sha256:a") == [9])
        #expect(!images.contains("sha256:a"))
    }
}
