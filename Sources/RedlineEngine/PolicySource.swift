import Foundation
import RedlineCore
import RedlinePolicy

/// Where a policy comes from, and loading it with every diagnostic.
public enum PolicySource: Sendable, Equatable {
    case file(String)
    case embeddedDefault

    /// The name used in diagnostics and reports.
    public var displayName: String {
        switch self {
        case let .file(path): path
        case .embeddedDefault: "<embedded uk-default>"
        }
    }

    /// Discovery order: an explicit path, then `REDLINE_POLICY`, then `.redline.yaml` walking up
    /// from `directory`, then the embedded default. With `discover: false` (filters run under
    /// Spark with no environment) only the explicit path or the embedded default are used.
    public static func resolve(explicit: String?, environment: [String: String], directory: String?, discover: Bool = true) -> PolicySource {
        PolicySource.discover(explicit: explicit, environment: environment, directory: directory, walkUp: discover).source
    }

    /// How a policy was found: every command that takes a policy finds it the same way, and
    /// `check` and `scan` say which one they used and why.
    public enum Origin: Sendable, Equatable {
        /// `--policy FILE`.
        case option
        /// The `REDLINE_POLICY` environment variable.
        case environment
        /// `.redline.yaml` found walking up from the working directory.
        case discovered
        /// Nothing found: the embedded `uk-default`.
        case embedded

        /// The origin in words, for "policy NAME (FILE, ORIGIN)".
        public var description: String {
            switch self {
            case .option: "from --policy"
            case .environment: "from REDLINE_POLICY"
            case .discovered: ".redline.yaml found walking up from the working directory"
            case .embedded: "embedded default: no --policy, REDLINE_POLICY or .redline.yaml"
            }
        }
    }

    /// Discovery with its reason: `explicit` (`--policy`), then `REDLINE_POLICY`, then
    /// `.redline.yaml` walking up from `directory` (unless `walkUp` is false), then the embedded default.
    public static func discover(explicit: String?, environment: [String: String], directory: String?,
                                walkUp: Bool = true) -> (source: PolicySource, origin: Origin) {
        if let explicit { return (.file(explicit), .option) }
        if let env = environment["REDLINE_POLICY"], !env.isEmpty { return (.file(env), .environment) }
        if walkUp, var dir = directory {
            while true {
                let candidate = (dir as NSString).appendingPathComponent(".redline.yaml")
                if FileManager.default.fileExists(atPath: candidate) { return (.file(candidate), .discovered) }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return (.embeddedDefault, .embedded)
    }

    /// Loads, compiles and lints: the pipeline when there is no error, and every error and
    /// warning in file order (what `redline policy check` prints).
    public func check(key: [UInt8]? = nil, keyIsPlaceholder: Bool = false) -> (pipeline: Pipeline?, diagnostics: [Diagnostic]) {
        do {
            return Pipeline.check(yaml: try text(), file: displayName, key: key, keyIsPlaceholder: keyIsPlaceholder)
        } catch {
            return (nil, error.diagnostics)
        }
    }

    /// Reads and parses the policy. Throws all diagnostics (a missing file is one diagnostic).
    public func load() throws(DiagnosticList) -> Policy {
        let (policy, diagnostics) = PolicyLoader.parse(try text(), file: displayName)
        guard let policy else { throw DiagnosticList(diagnostics) }
        return policy
    }

    /// Loads and compiles in one step, reporting the errors of both stages together, in file order.
    public func compile(key: [UInt8]? = nil, keyIsPlaceholder: Bool = false) throws(DiagnosticList) -> Pipeline {
        try Pipeline.compile(yaml: text(), file: displayName, key: key, keyIsPlaceholder: keyIsPlaceholder)
    }

    /// The policy text.
    func text() throws(DiagnosticList) -> String {
        switch self {
        case .embeddedDefault:
            return PolicySource.embeddedDefaultText + "\n"
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path) else {
                let reason = FileManager.default.fileExists(atPath: path) ? "cannot read policy file" : "policy file not found"
                throw DiagnosticList([Diagnostic(.error, code: PolicyCode.unreadable, "\(reason): \(path)", at: SourceLocation(file: path, line: 1, column: 1))])
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw DiagnosticList([Diagnostic(.error, code: PolicyCode.syntax, "policy file is not valid UTF-8", at: SourceLocation(file: path, line: 1, column: 1))])
            }
            return decoded
        }
    }
}

/// The HMAC key for fingerprints and `hash` redaction: `--key-file` or `REDLINE_KEY`. A key is
/// the file's bytes (a final line break dropped), at least ``minimumLength`` of them: a shorter
/// key could be guessed, and keyed fingerprints of card or NI numbers would then be reversible.
public enum KeySource {
    /// Fewest bytes a key may have.
    public static let minimumLength = 16

    public static func load(keyFile: String?, environment: [String: String]) throws(Diagnostic) -> [UInt8]? {
        let generate = "generate one with 'redline key generate --output FILE'"
        if let keyFile {
            var bytes = try read(keyFile)
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            if bytes.isEmpty {
                throw Diagnostic(.error, code: "E002", "key file \(keyFile) is empty; \(generate)")
            }
            if bytes.count < minimumLength {
                throw Diagnostic(.error, code: "E002", "key file \(keyFile) holds \(bytes.count) bytes; a key needs at least \(minimumLength); \(generate)")
            }
            return bytes
        }
        if let env = environment["REDLINE_KEY"], !env.isEmpty {
            guard env.utf8.count >= minimumLength else {
                throw Diagnostic(.error, code: "E002", "REDLINE_KEY holds \(env.utf8.count) bytes; a key needs at least \(minimumLength); \(generate)")
            }
            return Array(env.utf8)
        }
        return nil
    }

    /// The file's bytes, or an error saying why they cannot be read (missing, a folder, no permission…).
    static func read(_ path: String) throws(Diagnostic) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Diagnostic(.error, code: "E002", "cannot read key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Diagnostic(.error, code: "E002", "cannot read key file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += buffer[..<count]
            if bytes.count > 1 << 20 { throw Diagnostic(.error, code: "E002", "key file \(path) is over 1 MiB: not a key") }
        }
        return bytes
    }
}
