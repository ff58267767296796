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
        if let explicit { return .file(explicit) }
        if let env = environment["REDLINE_POLICY"], !env.isEmpty { return .file(env) }
        if discover, var dir = directory {
            while true {
                let candidate = (dir as NSString).appendingPathComponent(".redline.yaml")
                if FileManager.default.fileExists(atPath: candidate) { return .file(candidate) }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return .embeddedDefault
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

/// The HMAC key for fingerprints and `hash` redaction: `--key-file` or `REDLINE_KEY`.
public enum KeySource {
    public static func load(keyFile: String?, environment: [String: String]) throws(Diagnostic) -> [UInt8]? {
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile), !data.isEmpty else {
                throw Diagnostic(.error, code: "E002", "cannot read key file \(keyFile)")
            }
            var bytes = Array(data)
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            return bytes
        }
        if let env = environment["REDLINE_KEY"], !env.isEmpty { return Array(env.utf8) }
        return nil
    }
}
