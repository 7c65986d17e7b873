// swift-tools-version:6.2
// moodle-pipeline: a single-binary CDC → log → SQLite/search appliance. See ARCHITECTURE.md.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The stream operators are generic; without their bodies visible to callers in other modules every call
// instantiates generic metadata at run time (a third of the processor's time in `moodle-bench e2e`).
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "moodle-pipeline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "moodle-pipeline", targets: ["moodle-pipeline"]),
        .executable(name: "moodle-bench", targets: ["moodle-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The command line: parses arguments and hands over to Appliance. Nothing else.
        .executableTarget(
            name: "moodle-pipeline",
            dependencies: [
                "Appliance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration, wiring and supervision of the services, the demo and the data generator.
        .target(
            name: "Appliance",
            dependencies: [
                "PostgresCDC", "LocalPostgres", "Console", "SQLiteSink", "BlockingIO", "PartitionedLog", "MoodleAnalytics",
                "SearchAPI", "SearchEngine", "StreamProcessing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The partitioned log: segments, indexes, group commit, recovery, retention, compaction, consumer offsets.
        // Generic: knows nothing of PostgreSQL or Moodle.
        .target(
            name: "PartitionedLog",
            dependencies: [
                "CZlib", "PosixFiles",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // zlib, for batch compression and CRC-32 (apt zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Benchmarks against baselines measured in the same run (see BENCHMARKS.md).
        .executableTarget(
            name: "moodle-bench",
            dependencies: [
                "PartitionedLog", "CBenchBaseline", "PostgresCDC", "LocalPostgres", "SQLiteSink", "StreamProcessing", "MoodleAnalytics",
                "SearchEngine", "SearchAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // The tantivy baseline: a Python script the benchmark runs from the source tree, not a resource.
            exclude: ["search_baseline_tantivy.py"],
            swiftSettings: swiftSettings
        ),
        // The benchmarks' plain C baselines (a write + CRC + fdatasync appender).
        .target(name: "CBenchBaseline", dependencies: ["CZlib"], linkerSettings: [.linkedLibrary("sqlite3")]),
        // Positional file I/O and directory operations (open, pread/pwrite, fdatasync/fsync, atomic writes,
        // durable mkdir/rename), generic over the caller's error type: shared by the log and the search engine.
        .target(name: "PosixFiles", swiftSettings: swiftSettings),
        // Runs blocking C calls on dedicated threads, off the cooperative pool.
        .target(name: "BlockingIO", swiftSettings: swiftSettings),
        // libpq, as Debian ships it (headers in /usr/include/postgresql).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // The PostgreSQL side: libpq wrapper, preflight checks, replication protocol, pgoutput, change events,
        // snapshots and the capture service that appends to the log. Knows nothing of Moodle.
        .target(
            name: "PostgresCDC",
            dependencies: [
                "CLibPQ", "BlockingIO", "PartitionedLog",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Throwaway/local PostgreSQL clusters from the system binaries (demo and tests).
        .target(
            name: "LocalPostgres",
            dependencies: ["BlockingIO", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The admin listener: the console (web assets embedded in the binary), its JSON API under /api/v1 with
        // live updates (server-sent events), /metrics, /healthz, /readyz. Reads the pipeline through the
        // `ConsoleBackend` protocol that Appliance implements: no engine internals here.
        .target(
            name: "Console",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [
                .embedInCode("Web/index.html"), .embedInCode("Web/console.css"),
                .embedInCode("Web/charts.js"), .embedInCode("Web/console.js"),
            ],
            swiftSettings: swiftSettings
        ),
        // The SQLite sink database (GRDB, WAL mode).
        .target(
            name: "SQLiteSink",
            dependencies: [
                "PartitionedLog", "StreamProcessing", "MoodleAnalytics",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The pure domain of the two business answers: time parsing, email normalizing, weeks, oracles.
        .target(name: "MoodleAnalytics", dependencies: ["StreamProcessing"], swiftSettings: swiftSettings + crossModule),
        // The embedded search engine: analyzers, mappings, segments on disk, the inverted index with positions,
        // BM25, doc values, the query DSL and aggregations. Generic: knows nothing of HTTP, the log or Moodle.
        .target(
            name: "SearchEngine",
            dependencies: ["StreamProcessing", "CZlib", "PosixFiles", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings + crossModule
        ),
        // The OpenSearch-compatible REST API over SearchEngine, and the write path through the log (the translog).
        .target(
            name: "SearchAPI",
            dependencies: [
                "SearchEngine", "StreamProcessing", "PartitionedLog", "BlockingIO",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Generic stream processing: change events, keyed tables, derived-key joins, grouped and windowed
        // aggregation (tumbling, hopping, calendar, session), changelogs. Knows nothing of Moodle.
        .target(name: "StreamProcessing", swiftSettings: swiftSettings + crossModule),
        // Test support: throwaway PostgreSQL clusters, temp dirs, running the binary as a child process.
        .target(
            name: "PostgresTestSupport",
            dependencies: ["LocalPostgres", "PostgresCDC", "BlockingIO", "StreamProcessing"],
            path: "Tests/PostgresTestSupport",
            swiftSettings: swiftSettings
        ),
        // A child process that appends to a log until it is killed (the SIGKILL crash test).
        .executableTarget(
            name: "log-crash-child",
            dependencies: ["PartitionedLog", .product(name: "Logging", package: "swift-log")],
            path: "Tests/LogCrashChild",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PartitionedLogTests",
            dependencies: [
                "PartitionedLog", "PostgresTestSupport", "log-crash-child",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresCDCTests",
            dependencies: [
                "PostgresCDC", "PostgresTestSupport", "PartitionedLog", "LocalPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ApplianceTests",
            // moodle-pipeline: the CLI tests run the built binary as a child process.
            dependencies: [
                "Appliance", "Console", "PostgresTestSupport", "PostgresCDC", "LocalPostgres", "moodle-pipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "MoodleAnalyticsTests", dependencies: ["MoodleAnalytics", "StreamProcessing"], swiftSettings: swiftSettings),
        .testTarget(name: "SearchEngineTests", dependencies: ["SearchEngine", "StreamProcessing"], swiftSettings: swiftSettings),
        // A child process that writes to the search engine through the log until it is killed.
        .executableTarget(
            name: "search-crash-child",
            dependencies: [
                "SearchAPI", "SearchEngine", "PartitionedLog",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SearchCrashChild",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SearchAPITests",
            dependencies: [
                "SearchAPI", "SearchEngine", "PartitionedLog", "PostgresTestSupport", "search-crash-child", "StreamProcessing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StreamProcessingTests", dependencies: ["StreamProcessing"], swiftSettings: swiftSettings),
    ]
)
