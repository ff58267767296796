import Crypto
import Foundation
import NIOConcurrencyHelpers
import RedlineCore
import RedlinePolicy

/// The bearer tokens of `--tokens FILE`, swapped whole on reload. Only SHA-256 digests are held.
public final class TokenStore: Sendable {
    public let path: String?
    private let entries: NIOLockedValueBox<[TokenEntry]>
    /// No tokens file: every caller is ``Client/anonymous`` (`--allow-anonymous`, loopback only).
    public let anonymous: Bool

    /// Loads `path`; throws every diagnostic when the file cannot be read or has an error.
    public init(path: String?, anonymous: Bool) throws(DiagnosticList) {
        self.path = path
        self.anonymous = anonymous
        self.entries = NIOLockedValueBox(path == nil ? [] : try Self.load(path!))
    }

    public init(entries: [TokenEntry], anonymous: Bool = false) {
        self.path = nil
        self.anonymous = anonymous
        self.entries = NIOLockedValueBox(entries)
    }

    public static func load(_ path: String) throws(DiagnosticList) -> [TokenEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiagnosticList([Diagnostic(.error, code: "P016", "cannot read the tokens file", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw DiagnosticList([Diagnostic(.error, code: "P001", "the tokens file is not UTF-8", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        let (tokens, diagnostics) = TokensFile.parse(text, file: path)
        guard let tokens else { throw DiagnosticList(diagnostics) }
        return tokens
    }

    /// Reads the file again; on error the tokens in force stay and the diagnostics are returned.
    @discardableResult
    public func reload() -> Result<Int, DiagnosticList> {
        guard let path else { return .success(entries.withLockedValue { $0.count }) }
        do {
            let fresh = try Self.load(path)
            entries.withLockedValue { $0 = fresh }
            return .success(fresh.count)
        } catch {
            return .failure(error)
        }
    }

    public var count: Int { entries.withLockedValue { $0.count } }

    public enum Outcome: Sendable {
        case client(Client)
        /// No `Authorization: Bearer` header, or a token that matches no entry.
        case unauthorized
    }

    /// Who `authorization` (the header's value) is. The presented token is hashed and compared
    /// with every entry's digest in constant time (no early exit, on the bytes or the entries).
    public func authenticate(_ authorization: String?) -> Outcome {
        guard let authorization else { return anonymous ? .client(.anonymous) : .unauthorized }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .unauthorized }
        let digest = Array(SHA256.hash(data: Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)))
        var match: TokenEntry?
        for entry in entries.withLockedValue({ $0 }) {
            if Self.constantTimeEqual(entry.digest, digest) && match == nil { match = entry }
        }
        guard let match else { return .unauthorized }
        return .client(Client(name: match.name, channels: match.channels))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// A new random token (32 bytes, URL-safe base64 without padding) and its SHA-256 in hex.
    public static func generate() -> (token: String, sha256: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = "rl_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (token, sha256Hex(token))
    }

    public static func sha256Hex(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
