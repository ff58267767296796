// swift-tools-version: 6.1
import PackageDescription

// Module boundaries (imports only point down towards RedlineCore):
//   CPCRE2            system library, libpcre2-8 (Debian: libpcre2-dev)
//   CPoppler          system library, poppler-glib (Debian: libpoppler-glib-dev), PDF text for RedlineExtract
//   RedlinePCRE2      safe wrapper over CPCRE2
//   RedlineCore       shared value types: findings, actions, diagnostics, locations
//   RedlineDetectors  built-in detector kinds, validators, text normalisation, matching
//   RedlineExactData  exact data match: index format, builder, memory-mapped lookup, normalisers (keyed fingerprints only;
//                     cells folded like scanned text with RedlineDetectors' ScanText)
//   RedlinePolicy     YAML policy -> Policy model with positions and diagnostics (only importer of Yams)
//   RedlineEngine     Policy -> compiled Pipeline: scan, decide, redact, examples (wires the above)
//   RedlineExtract    attachment and archive content: ZIP, OOXML, ODF, PDF, gzip -> text with locations; bounds
//   RedlineFormats    record readers (text stream, JSONL, CSV) and report writers (text, JSON, JSONL, SARIF)
//   RedlineMail       RFC 5322 / MIME message model, mbox and Maildir, redaction re-encoding
//   RedlineService    what both servers share: metrics (swift-metrics + swift-prometheus), structured logs, reloadable stores
//   RedlineMilter     milter protocol (frame codec, pure session state machine), NIO server, metrics, logs
//   RedlineServer     `redline serve`: HTTP API (Hummingbird 2, openapi.yaml), bearer tokens, limits, TLS (uses Service)
//   RedlineAudit      tamper-evident audit trail: keyed, hash-chained JSON Lines and its verifier
//   RedlineTool       command behaviour (check, redact, policy tools, sendmail) as testable library code
//   redline           thin ArgumentParser executable
let package = Package(
    name: "redline",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "redline", targets: ["redline"]),
        .library(name: "RedlineEngine", targets: ["RedlineEngine"]),
        // Also used by the separate fuzzing package in Fuzz/ (built with -sanitize=fuzzer,address).
        .library(name: "RedlineFormats", targets: ["RedlineFormats"]),
        .library(name: "RedlineMail", targets: ["RedlineMail"]),
        .library(name: "RedlineExtract", targets: ["RedlineExtract"]),
        .library(name: "RedlineExactData", targets: ["RedlineExactData"]),
        .library(name: "RedlineTool", targets: ["RedlineTool"]),
        .library(name: "RedlineMilter", targets: ["RedlineMilter"]),
        .library(name: "RedlineServer", targets: ["RedlineServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // redline serve (issue 18): no default traits, so swift-configuration is not built.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "RedlinePCRE2", dependencies: ["CPCRE2"]),
        .systemLibrary(
            name: "CPoppler",
            pkgConfig: "poppler-glib",
            providers: [.apt(["libpoppler-glib-dev"])]
        ),
        .target(name: "RedlineExtract", dependencies: ["RedlineCore", "CPoppler", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "RedlineCore"),
        .target(name: "RedlineDetectors", dependencies: ["RedlineCore", "RedlinePCRE2"]),
        .target(name: "RedlinePolicy", dependencies: ["RedlineCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "RedlineExactData", dependencies: ["RedlineDetectors", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "RedlineEngine",
            dependencies: [
                "RedlineCore", "RedlinePCRE2", "RedlineDetectors", "RedlinePolicy", "RedlineExactData",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "RedlineFormats", dependencies: ["RedlineCore", "RedlineEngine", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "RedlineMail", dependencies: ["RedlineCore", "RedlineEngine", "RedlineExtract"]),
        .target(name: "RedlineAudit", dependencies: ["RedlineCore", "RedlineEngine", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "RedlineTool", dependencies: ["RedlineCore", "RedlineEngine", "RedlinePolicy", "RedlineFormats", "RedlineMail", "RedlineAudit", "RedlineExtract",
                                                    .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "RedlineMilter",
            dependencies: [
                "RedlineCore", "RedlineEngine", "RedlineMail", "RedlineAudit", "RedlineService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "RedlineService",
            dependencies: [
                "RedlineCore", "RedlineEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "RedlineServer",
            dependencies: [
                "RedlineCore", "RedlineEngine", "RedlinePolicy", "RedlineMail", "RedlineAudit", "RedlineService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "redline",
            dependencies: ["RedlineTool", "RedlineMail", "RedlineAudit", "RedlineMilter", "RedlineService", "RedlineServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // In-process timing of the milter's decision for one message (scripts/bench.sh, BENCHMARKS.md).
        // Attachment extraction speed, milter decision with a 20 MB XLSX, a zip bomb (scripts/bench.sh).
        .executableTarget(name: "redline-extract-bench", dependencies: ["RedlineCore", "RedlineEngine", "RedlineExtract", "RedlineMail",
                                                                        .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .executableTarget(name: "redline-decision-bench", dependencies: ["RedlineCore", "RedlineEngine", "RedlineMail"]),
        .executableTarget(name: "redline-detector-bench", dependencies: ["RedlineDetectors"]),
        .testTarget(name: "RedlinePCRE2Tests", dependencies: ["RedlinePCRE2"]),
        .testTarget(name: "RedlineExactDataTests", dependencies: ["RedlineExactData"]),
        .testTarget(name: "RedlineDetectorsTests", dependencies: ["RedlineDetectors", "RedlineCore"]),
        .testTarget(name: "RedlineEngineTests", dependencies: ["RedlineEngine", "RedlinePolicy", "RedlineCore", "RedlineDetectors", "RedlineExactData"]),
        .testTarget(name: "RedlineFormatsTests", dependencies: ["RedlineFormats", "RedlineEngine", "RedlineCore"]),
        .testTarget(
            name: "RedlineMilterTests",
            dependencies: [
                "RedlineMilter", "RedlineService", "RedlineEngine", "RedlineCore", "RedlineMail", "RedlineAudit", "RedlineExactData",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RedlineServerTests",
            dependencies: [
                // redline: ServeProcessTests run the built binary (exit codes, signals, TLS).
                "RedlineServer", "RedlineService", "RedlineEngine", "RedlineCore", "RedlineAudit", "RedlinePolicy", "redline",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "RedlineExtractTests", dependencies: ["RedlineExtract", "RedlineCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "RedlineMailTests", dependencies: ["RedlineMail", "RedlineEngine", "RedlineCore", "RedlineExtract",
                                                            .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "RedlineScanTests", dependencies: ["RedlineTool", "RedlineAudit", "RedlineEngine", "RedlineCore", "RedlineFormats", "RedlineMail", "redline"]),
        .testTarget(name: "RedlineToolTests", dependencies: ["RedlineTool", "RedlineEngine", "RedlineCore", "RedlineFormats", "redline"]),
    ],
    swiftLanguageModes: [.v6]
)
