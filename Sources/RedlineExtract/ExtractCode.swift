import RedlineCore

/// Diagnostic codes for attachment and archive content. A container that raises one of these is
/// *unscannable*: the caller decides it with `settings.unscannable_attachments`.
///
/// X001 nested deeper than the depth limit · X002 more entries than the entry limit ·
/// X003 expands past the per-message byte budget · X004 expansion ratio over the limit ·
/// X005 over the per-message time limit · X006 encrypted · X007 corrupt or truncated ·
/// X008 unsafe entry name (`../`, absolute path) · X009 duplicate entry name ·
/// X010 XML with a DOCTYPE or entity declarations (never expanded) · X011 type not supported ·
/// X012 a redaction that cannot be written inside the file (the attachment is then blocked or
/// stripped per `settings.unredactable_attachments`)
public enum ExtractCode {
    public static let tooDeep = "X001"
    public static let tooManyEntries = "X002"
    public static let tooLarge = "X003"
    public static let ratio = "X004"
    public static let timeLimit = "X005"
    public static let encrypted = "X006"
    public static let corrupt = "X007"
    public static let unsafeName = "X008"
    public static let duplicateName = "X009"
    public static let xmlDeclarations = "X010"
    public static let unsupported = "X011"
    public static let notRewritable = "X012"
}

/// Why a container could not be read to the end. The message never quotes content or names
/// from the file: `path` holds the names (for the caller to mask before printing them).
public struct ExtractProblem: Error, Sendable, Hashable {
    public var code: String
    public var message: String
    /// Container chain down to where it happened, outermost first (raw names: mask before printing).
    public var path: [String]

    public init(_ code: String, _ message: String, path: [String] = []) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// As a diagnostic, with `where` (an already masked location) in front of the message.
    public func diagnostic(where place: String) -> Diagnostic {
        Diagnostic(.warning, code: code, "\(place): not scanned: \(message)")
    }
}
