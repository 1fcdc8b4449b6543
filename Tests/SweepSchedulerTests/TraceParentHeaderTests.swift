import Service
import Testing

/// The `traceparent` of an HTTP task call is written byte by byte (`TraceParent.header(launchID:runRowID:)`): it must
/// be exactly what the general initialiser gives, nil included.
@Test(arguments: [
    ("0b6f3c4e-1d2a-4f5b-9c8d-7e6f5a4b3c2d", Int64(1)),
    ("0B6F3C4E-1D2A-4F5B-9C8D-7E6F5A4B3C2D", Int64(0x7fff_ffff_ffff_ffff)),
    ("0b6f3c4e1d2a4f5b9c8d7e6f5a4b3c2d", Int64(-1)),
    ("0b6f3c4e-1d2a-4f5b-9c8d-7e6f5a4b3c2d", Int64(0)),
    ("00000000-0000-0000-0000-000000000000", Int64(5)),
    ("0b6f3c4e-1d2a-4f5b-9c8d-7e6f5a4b3c2", Int64(5)),
    ("0b6f3c4e-1d2a-4f5b-9c8d-7e6f5a4b3c2d0", Int64(5)),
    ("0b6f3c4e-1d2a-4f5b-9c8d-7e6f5a4b3c2g", Int64(5)),
    ("--0b6f3c4e1d2a4f5b9c8d7e6f5a4b3c2d--", Int64(123_456_789)),
    ("", Int64(5)),
    ("0b6f3c4é-1d2a-4f5b-9c8d-7e6f5a4b3c2d", Int64(5)),
])
func theCallsTraceparentIsTheInitialisersHeader(launchID: String, runRowID: Int64) {
    #expect(TraceParent.header(launchID: launchID, runRowID: runRowID) == TraceParent(launchID: launchID, runRowID: runRowID)?.header)
}

@Test func aRunsSpanIsItsRowIDInSixteenHexDigits() {
    #expect(TraceParent.header(launchID: "0b6f3c4e-1d2a-4f5b-9c8d-7e6f5a4b3c2d", runRowID: 0x2a)
        == "00-0b6f3c4e1d2a4f5b9c8d7e6f5a4b3c2d-000000000000002a-01")
}
