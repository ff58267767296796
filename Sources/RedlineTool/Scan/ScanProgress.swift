import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on stderr (files, bytes, findings, rate, time left), at most ten
/// updates a second; erased at the end. Only used when stderr is a terminal, `CI` is unset and
/// `-q` was not given.
final class ScanProgress {
    let totalFiles: Int
    let totalBytes: Int
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(totalFiles: Int, totalBytes: Int) {
        self.totalFiles = totalFiles
        self.totalBytes = totalBytes
    }

    static func wanted(_ option: Bool?, quiet: Bool, environment: [String: String]) -> Bool {
        if quiet { return false }
        if let option { return option }
        return isatty(2) == 1 && (environment["CI"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    func update(files: Int, bytes: Int, findings: Int, force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / elapsed
        let fraction = totalBytes > 0 ? Double(bytes) / Double(totalBytes) : (totalFiles > 0 ? Double(files) / Double(totalFiles) : 1)
        let filled = Int((min(1, fraction) * 24).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled)
        var left = "--:--"
        if rate > 0 && totalBytes > bytes {
            let seconds = Int(Double(totalBytes - bytes) / rate)
            left = String(format: "%d:%02d", seconds / 60, seconds % 60)
        } else if bytes >= totalBytes {
            left = "0:00"
        }
        let line = "\r[\(bar)] \(files)/\(totalFiles) files  \(ScanTextReport.size(bytes))/\(ScanTextReport.size(totalBytes))  \(findings) findings  "
            + "\(ScanTextReport.size(Int(rate)))/s  \(left) left\u{1B}[K"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
