// redline-detector-bench: the detector layer alone, for profiling (callgrind) and checking the
// prefilter. Scans a file in 1 MiB windows (cut at line ends, as `redline check` streams text)
// with the built-in kinds given (default: all), confidence off as for the text report, and
// prints the hits per kind. `--compare` also scans every window without the prefilter and
// reports windows whose hits differ (there must be none). `--no-context` turns off
// requires-context, so that every candidate of every kind is compared.
//
//   redline-detector-bench FILE [KIND,KIND,...] [--compare] [--no-context]
//   valgrind --tool=callgrind redline-detector-bench corpus-5M.txt uk_passport
import RedlineDetectors
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line on standard error.
func complain(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var arguments = Array(CommandLine.arguments.dropFirst())
let compare = arguments.contains("--compare")
let noContext = arguments.contains("--no-context")
arguments.removeAll { $0.hasPrefix("--") }
guard let path = arguments.first, let file = fopen(path, "rb") else {
    complain("usage: redline-detector-bench FILE [KIND,KIND,...] [--compare] [--no-context]")
    exit(2)
}
var data: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 1 << 20)
while true {
    let count = fread(&chunk, 1, chunk.count, file)
    if count <= 0 { break }
    data.append(contentsOf: chunk[0..<count])
}
fclose(file)
let ids = arguments.count > 1 ? arguments[1].split(separator: ",").map(String.init) : DetectorKind.builtins.map(\.id)
var detectors: [CompiledDetector] = []
for id in ids {
    guard let kind = DetectorKind.builtin(id) else {
        complain("redline-detector-bench: unknown kind '\(id)'")
        exit(2)
    }
    detectors.append(try! CompiledDetector(id: id, kind: kind, requiresContext: noContext ? false : nil))
}

/// The windows of `data`: 1 MiB, cut after a line break.
func windows(_ data: [UInt8]) -> [Range<Int>] {
    var out: [Range<Int>] = []
    var start = 0
    while start < data.count {
        var end = min(data.count, start + (1 << 20))
        if end < data.count {
            var cut = end
            while cut > start, data[cut - 1] != 10 { cut -= 1 }
            if cut > start { end = cut }
        }
        out.append(start..<end)
        start = end
    }
    return out
}

let scanner = DetectorScanner(detectors)
scanner.computesConfidence = false
let plain = compare ? DetectorScanner(detectors, prefilter: false) : nil
plain?.computesConfidence = false
var counts = [Int](repeating: 0, count: ids.count)
var differing = 0
for window in windows(data) {
    let text = ScanText(Array(data[window]))
    let hits = scanner.scan(text).hits
    for hit in hits { counts[hit.detector] += 1 }
    if let plain {
        let describe: (Hit) -> String = { "\($0.detector) \($0.range) \($0.value) \($0.confidence)" }
        if hits.map(describe) != plain.scan(text).hits.map(describe) {
            differing += 1
            print("differs: window at byte \(window.lowerBound)")
        }
    }
}
for (index, id) in ids.enumerated() { print("\(id) \(counts[index])") }
if compare { print("windows differing: \(differing)") }
exit(differing == 0 ? 0 : 1)
