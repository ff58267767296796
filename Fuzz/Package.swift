// swift-tools-version: 6.0
import PackageDescription

// libFuzzer targets for redline, kept out of the main package: every target here is an
// executable whose `main` comes from libFuzzer, so it only links when built with
//   swift build --package-path Fuzz --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer,address
// which is what `make fuzz` (Fuzz/run.sh) does. SwiftPM gives each executable its own `main`
// (it links `main=<Target>_main`), so each target's main.swift hands its test function to
// libFuzzer's `LLVMFuzzerRunDriver`. Seed corpora are in Fuzz/Corpus/<target>.
let fuzzTargets: [(name: String, products: [String])] = [
    ("FuzzPolicy", ["RedlineEngine"]),
    ("FuzzDetectors", ["RedlineEngine", "RedlineTool"]),
    ("FuzzMIME", ["RedlineEngine", "RedlineMail"]),
    ("FuzzMbox", ["RedlineMail"]),
    ("FuzzJSONL", ["RedlineEngine", "RedlineFormats"]),
    ("FuzzCSV", ["RedlineFormats"]),
    ("FuzzUTF16", ["RedlineFormats"]),
    ("FuzzEDM", ["RedlineExactData"]),
    ("FuzzMilter", ["RedlineEngine", "RedlineMail", "RedlineMilter"]),
    ("FuzzZip", ["RedlineExtract"]),
    ("FuzzOffice", ["RedlineExtract"]),
    ("FuzzAttachment", ["RedlineEngine", "RedlineMail"]),
    ("FuzzRewrite", ["RedlineExtract"]),
    ("FuzzSheetWindows", ["RedlineExtract"]),
    ("FuzzScanReport", ["RedlineTool"]),
    ("FuzzAuditReport", ["RedlineTool"]),
]

let package = Package(
    name: "redline-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "redline", path: ".."),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: [
            .product(name: "RedlineEngine", package: "redline"),
        ]),
    ] + fuzzTargets.map { target in
        .executableTarget(name: target.name, dependencies: ["FuzzSupport", "CFuzzDriver"]
            + target.products.map { .product(name: $0, package: "redline") }
            + (["FuzzOffice", "FuzzRewrite", "FuzzSheetWindows"].contains(target.name) ? [.product(name: "ZIPFoundation", package: "ZIPFoundation")] : []))
    },
    swiftLanguageModes: [.v6]
)
