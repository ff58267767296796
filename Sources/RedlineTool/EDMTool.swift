import Foundation
import RedlineCore
import RedlineEngine
import RedlineExactData
#if canImport(Glibc)
import Glibc
#endif

/// `redline edm build CSV --columns NAME:TYPE,… --key-file KEY --output INDEX`: hashes the listed
/// columns of a customer table into an exact-data index (keyed fingerprints only, see
/// ``IndexFormat``). Messages name files, lines, columns and counts, never a cell value.
public enum EDMTool {
    public struct BuildOptions: Sendable {
        public var csv: String
        public var columns: String
        public var output: String
        public var keyFile: String?
        public var strict = false
        /// Show a progress bar (the CLI passes whether standard error is a terminal).
        public var progress = false

        public init(csv: String, columns: String, output: String, keyFile: String? = nil, strict: Bool = false, progress: Bool = false) {
            self.csv = csv
            self.columns = columns
            self.output = output
            self.keyFile = keyFile
            self.strict = strict
            self.progress = progress
        }
    }

    /// Builds the index. 0 on success (warnings about skipped rows and cells go to `errors`),
    /// 2 on any error, with nothing written.
    public static func build(_ options: BuildOptions, environment: [String: String], out: OutputStream,
                             errors: (String) -> Void = { printError($0) }) throws -> Int32 {
        let columns: [ColumnSpec]
        let key: [UInt8]
        do {
            columns = try ColumnSpec.parseList(options.columns)
            guard let loaded = try KeySource.load(keyFile: options.keyFile, environment: environment), !loaded.isEmpty else {
                errors("error: edm build needs the key to fingerprint with: pass --key-file or set REDLINE_KEY (keep it: the index is useless without it)")
                return ExitStatus.error
            }
            key = loaded
        } catch let error as EDMError {
            errors("error: \(error.message)")
            return ExitStatus.error
        } catch let diagnostic as Diagnostic {
            errors("error: \(diagnostic.message)")
            return ExitStatus.error
        }
        let file: MappedFile
        do {
            file = try MappedFile(path: options.csv)
        } catch {
            errors(error.description)
            return ExitStatus.error
        }
        var bar = ProgressBar(enabled: options.progress)
        let report: BuildReport
        do {
            report = try IndexBuilder.build(csv: file.buffer, file: options.csv, columns: columns, strict: options.strict,
                                            keys: EDMKeys(key: key), output: options.output) { done, total in bar.update(done, of: total) }
            bar.finish()
        } catch {
            bar.finish()
            errors(error.description)
            return ExitStatus.error
        }
        for line in report.badRowLines {
            errors("\(options.csv):\(line): warning: record has the wrong number of fields (the header has \(report.expectedFields)); row skipped")
        }
        if report.badRows > report.badRowLines.count {
            errors("\(options.csv): warning: \(report.badRows - report.badRowLines.count) more rows with the wrong number of fields skipped")
        }
        for column in columns where report.invalidCells[column.name] != nil {
            errors("\(options.csv): warning: \(report.invalidCells[column.name]!) '\(column.name)' cells are not \(column.type.rawValue) values; skipped")
        }
        let perCell = report.cells > 0 ? String(format: "%.1f", Double(report.indexBytes) / Double(report.cells)) : "-"
        try out.write("\(options.output): \(report.rows) rows, \(report.cells) cells indexed (\(report.emptyCells) empty cells skipped), "
                      + "\(report.indexBytes) bytes (\(perCell) per cell)\n")
        return ExitStatus.clean
    }
}

/// A file mapped read-only (an empty file is an empty buffer).
final class MappedFile {
    let buffer: UnsafeBufferPointer<UInt8>
    private let size: Int

    init(path: String) throws(EDMError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw EDMError(.unreadable, errno == ENOENT ? "file not found" : "cannot open: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw EDMError(.unreadable, "not a regular file", file: path) }
        size = Int(info.st_size)
        if size == 0 {
            buffer = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
            throw EDMError(.unreadable, "cannot map: \(String(cString: strerror(errno)))", file: path)
        }
        madvise(pointer, size, MADV_SEQUENTIAL)
        buffer = UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: size)
    }

    deinit {
        if let base = buffer.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }
}

/// `[#####-----]  45%` on standard error, redrawn in place; nothing when disabled (not a terminal).
struct ProgressBar {
    let enabled: Bool
    private var shown = -1

    init(enabled: Bool) { self.enabled = enabled }

    mutating func update(_ done: Int, of total: Int) {
        guard enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        guard percent != shown else { return }
        shown = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
        let line = Array("\r[\(bar)] \(percent < 10 ? "  " : percent < 100 ? " " : "")\(percent)%".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
    }

    mutating func finish() {
        guard enabled, shown >= 0 else { return }
        _ = Array("\r\u{1B}[K".utf8).withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
        shown = -1
    }
}
