// swift-tools-version:6.0
import PackageDescription

// Layout: one system-library module per C library (CFastCGI, CLibPQ, CCurl, CCrypto), each imported only by its
// thin wrapper (FastCGI, Postgres, HTTPClient, SweepCrypto). Pure logic (SweepJSON, SweepExpression, SweepModel,
// Web) has no I/O and is tested exhaustively; the I/O targets stay thin. Executables are thin mains.
let package = Package(
    name: "Sweep",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sweep-api", targets: ["sweep-api"]),
        .executable(name: "sweep-scheduler", targets: ["sweep-scheduler"]),
        .executable(name: "sweep", targets: ["sweep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // C modules
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev", "libcrypt-dev"])]),

        // Pure targets
        .target(name: "SweepJSON"),
        // RunState, LaunchState, EventType: the one mapping of states to their texts, shared by the store, the
        // scheduler, the SSE hub and the CLI.
        .target(name: "SweepStates"),
        // Duration to milliseconds/nanoseconds, once, for every C API that takes integers.
        .target(name: "DurationUnits"),
        .target(name: "SweepExpression", dependencies: ["SweepJSON"]),
        .target(name: "SweepModel", dependencies: ["SweepJSON", "SweepExpression", "SweepStates"]),
        .target(name: "Web", dependencies: ["SweepJSON", .product(name: "Logging", package: "swift-log")]),
        // Which addresses tenant-directed connections may reach (issue 11): pure, used by HTTPClient and the API.
        .target(name: "Egress"),

        // C wrappers
        .target(name: "SweepCrypto", dependencies: ["CCrypto", "BlockingCalls"]),
        // Marks calls that may block on I/O, for the worker's limit on running request threads (FastCGI's gate).
        .target(name: "BlockingCalls"),
        .target(name: "Postgres", dependencies: ["CLibPQ", "SweepJSON", "DurationUnits", "BlockingCalls", .product(name: "Logging", package: "swift-log")]),
        .target(name: "HTTPClient", dependencies: ["CCurl", "Egress", "DurationUnits"]),
        .target(name: "ProcessSupervisor", dependencies: ["DurationUnits"]),
        .target(name: "FastCGI", dependencies: ["CFastCGI", "Web", "Service", "DurationUnits", "BlockingCalls", .product(name: "Logging", package: "swift-log")]),

        // What every server process does alike: logging set-up, termination signals
        .target(name: "Service", dependencies: [.product(name: "Logging", package: "swift-log")]),

        // Application
        .target(name: "SweepStore", dependencies: [
            "Postgres", "SweepJSON", "SweepModel", "SweepCrypto", "SweepStates", "HTTPClient", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SweepAPI", dependencies: [
            "Web", "SweepStore", "SweepExpression", "SweepModel", "SweepJSON", "SweepCrypto", "Postgres", "Egress", "SweepStates", "BlockingCalls",
            // Backend workflows: the worker calls a call's interceptor function itself (SweepAPI/Backend).
            "HTTPClient",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SweepScheduler", dependencies: [
            "SweepStore", "SweepModel", "SweepJSON", "Postgres", "HTTPClient", "SweepCrypto", "ProcessSupervisor", "Egress", "Service",
            "SweepStates", "DurationUnits",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Executables
        .executableTarget(name: "sweep-api", dependencies: [
            "SweepAPI", "FastCGI", "SweepStore", "Postgres", "Web", "SweepCrypto", "Service", "Egress",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "sweep-scheduler", dependencies: [
            "SweepScheduler", "SweepStore", "Postgres", "Service", "Egress",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "sweep", dependencies: [
            "HTTPClient", "SweepJSON", "SweepCrypto", "SweepStates",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests (Swift Testing). Integration tests against the real stack live in Tests/Integration (pytest).
        .testTarget(name: "SweepJSONTests", dependencies: ["SweepJSON"]),
        .testTarget(name: "SweepExpressionTests", dependencies: ["SweepExpression", "SweepJSON"]),
        .testTarget(name: "SweepModelTests", dependencies: ["SweepModel", "SweepJSON", "SweepExpression", "SweepStates"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "SweepJSON", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SweepCryptoTests", dependencies: ["SweepCrypto"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "BlockingCalls", "Web"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "SweepJSON"]),
        .testTarget(name: "ProcessSupervisorTests", dependencies: ["ProcessSupervisor"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "Egress"], exclude: ["Fixtures"]),
        .testTarget(name: "EgressTests", dependencies: ["Egress"]),
        .testTarget(name: "BlobStoreTests", dependencies: ["SweepStore", "Postgres", "SweepCrypto"]),
        // The I/O targets, on the private PostgreSQL of `make test` (SWEEP_TEST_DATABASE_URL): a database per test.
        .target(name: "SweepTestSupport", dependencies: ["SweepStore", "Postgres", "SweepJSON"], path: "Tests/SweepTestSupport"),
        .testTarget(name: "SweepStoreTests", dependencies: ["SweepStore", "SweepTestSupport", "Postgres", "SweepJSON", "SweepModel", "SweepStates"]),
        .testTarget(name: "SweepSchedulerTests", dependencies: [
            "SweepScheduler", "SweepStore", "SweepTestSupport", "Postgres", "SweepJSON", "SweepModel", "SweepStates",
        ]),
        .testTarget(name: "SweepAPITests", dependencies: [
            "SweepAPI", "SweepStore", "SweepTestSupport", "Postgres", "SweepJSON", "Web", .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
