import RedlineCore
import Yams

/// One API client of `redline serve`: a name (logged and audited), the SHA-256 of its bearer token
/// (never the token itself) and the channels it may check on.
public struct TokenEntry: Sendable, Equatable {
    public var name: String
    /// The 32 bytes of SHA-256(token).
    public var digest: [UInt8]
    /// Channel names, or nil for every channel (`channels: "*"`).
    public var channels: Set<String>?
    public var location: SourceLocation

    public init(name: String, digest: [UInt8], channels: Set<String>?, location: SourceLocation) {
        self.name = name
        self.digest = digest
        self.channels = channels
        self.location = location
    }

    public func allows(channel: String) -> Bool { channels?.contains(channel) ?? true }
}

/// `redline serve --tokens FILE`:
/// ```yaml
/// tokens:
///   - name: helpdesk
///     sha256: "<hex SHA-256 of the token>"
///     channels: [chat, email-external]     # or "*" for every channel
/// ```
/// Every problem is reported as `file:line:col: error[CODE]: message`; a file with any error
/// yields no tokens (the server does not start, or keeps the tokens it had on reload).
public enum TokensFile {
    public static let maxBytes = 1 << 20
    /// The name calls without a token go by (`--allow-anonymous`, the `default` sender group): no
    /// token may take it, so a token's name always means that token.
    public static let reservedName = "anonymous"

    public static func parse(_ text: String, file: String) -> ([TokenEntry]?, [Diagnostic]) {
        let top = SourceLocation(file: file, line: 1, column: 1)
        if text.utf8.count > maxBytes {
            return (nil, [Diagnostic(.error, code: PolicyCode.tooLarge, "tokens file is \(text.utf8.count) bytes; the limit is \(maxBytes)", at: top)])
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return (nil, [Diagnostic(.error, code: PolicyCode.missingField, "tokens file is empty (expected 'tokens:')", at: top)])
            }
            root = node
        } catch let error as YamlError {
            return (nil, [PolicyLoader.syntaxDiagnostic(error, file: file, text: text)])
        } catch {
            return (nil, [Diagnostic(.error, code: PolicyCode.syntax, "cannot parse YAML", at: top)])
        }
        let reader = NodeReader(file: file)
        if let diagnostic = reader.expansionCheck(root) { return (nil, [diagnostic]) }
        var entries: [TokenEntry] = []
        guard case let .mapping(mapping) = root else {
            reader.error(PolicyCode.wrongType, "the tokens file must be a mapping with a 'tokens' list", at: root)
            return (nil, reader.diagnostics)
        }
        var list: Node?
        for (key, value) in mapping {
            if key.string == "tokens" { list = value } else {
                reader.error(PolicyCode.unknownKey, "unknown key '\(key.string ?? "?")' (expected 'tokens')", at: key)
            }
        }
        switch list {
        case nil:
            reader.error(PolicyCode.missingField, "missing 'tokens' list", at: root)
        case let .sequence(sequence)?:
            var names: [String: SourceLocation] = [:]
            var digests: [[UInt8]: String] = [:]
            for item in sequence {
                guard let entry = readEntry(item, reader: reader) else { continue }
                if let first = names[entry.name] {
                    reader.error(PolicyCode.duplicate, "duplicate token name '\(entry.name)' (first at line \(first.line))", at: entry.location)
                } else if let other = digests[entry.digest] {
                    reader.error(PolicyCode.duplicate, "token '\(entry.name)' has the same sha256 as '\(other)'", at: entry.location)
                } else {
                    names[entry.name] = entry.location
                    digests[entry.digest] = entry.name
                    entries.append(entry)
                }
            }
        case let other?:
            if let scalar = other.scalar?.string, ["", "~", "null"].contains(scalar) {
                // `tokens: []` written as `tokens:` — no client may call.
            } else {
                reader.error(PolicyCode.wrongType, "'tokens' must be a list of {name, sha256, channels}", at: other)
            }
        }
        return reader.diagnostics.isEmpty ? (entries, []) : (nil, reader.diagnostics)
    }

    private static func readEntry(_ node: Node, reader: NodeReader) -> TokenEntry? {
        guard case let .mapping(mapping) = node else {
            reader.error(PolicyCode.wrongType, "each token must be a mapping {name, sha256, channels}", at: node)
            return nil
        }
        var name: String?
        var digest: [UInt8]?
        var channels: Set<String>?
        var sawChannels = false
        let before = reader.diagnostics.count
        for (key, value) in mapping {
            switch key.string {
            case "name":
                guard let text = value.scalar?.string, isName(text) else {
                    reader.error(PolicyCode.invalidValue, "'name' must be letters, digits, '.', '_' or '-' (1 to 64)", at: value)
                    continue
                }
                guard text.lowercased() != reservedName else {
                    reader.error(PolicyCode.invalidValue, "token name '\(text)' is reserved for calls without a token (--allow-anonymous); choose another name", at: value)
                    continue
                }
                name = text
            case "sha256":
                guard let text = value.scalar?.string, let bytes = hex(text), bytes.count == 32 else {
                    reader.error(PolicyCode.invalidValue, "'sha256' must be 64 hex digits (the SHA-256 of the token, never the token)", at: value)
                    continue
                }
                digest = bytes
            case "channels":
                sawChannels = true
                if value.scalar?.string == "*" {
                    channels = nil
                } else if case let .sequence(items) = value {
                    var set = Set<String>()
                    for item in items {
                        guard let text = item.scalar?.string, !text.isEmpty, text != "*" else {
                            reader.error(PolicyCode.wrongType, "each channel must be a channel name", at: item)
                            continue
                        }
                        set.insert(text)
                    }
                    channels = set
                } else {
                    reader.error(PolicyCode.wrongType, "'channels' must be a list of channel names or \"*\"", at: value)
                }
            default:
                reader.error(PolicyCode.unknownKey, "unknown key '\(key.string ?? "?")' (expected name, sha256, channels)", at: key)
            }
        }
        if name == nil, !mapping.keys.contains(where: { $0.string == "name" }) { reader.error(PolicyCode.missingField, "token has no 'name'", at: node) }
        if digest == nil, !mapping.keys.contains(where: { $0.string == "sha256" }) { reader.error(PolicyCode.missingField, "token has no 'sha256'", at: node) }
        if !sawChannels { reader.error(PolicyCode.missingField, "token has no 'channels' (a list, or \"*\" for every channel)", at: node) }
        guard reader.diagnostics.count == before, let name, let digest else { return nil }
        return TokenEntry(name: name, digest: digest, channels: channels, location: reader.location(node))
    }

    public static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
    }

    static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The line `redline serve token add` appends for a new token (under an existing `tokens:`).
    public static func entryLine(name: String, sha256 hex: String, channels: [String]?) -> String {
        let list = channels.map { "[" + $0.joined(separator: ", ") + "]" } ?? "\"*\""
        return "  - { name: \(name), sha256: \"\(hex)\", channels: \(list) }\n"
    }
}
