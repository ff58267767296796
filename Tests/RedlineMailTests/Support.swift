import Foundation
import RedlineCore
import RedlineEngine
@testable import RedlineMail

/// Shared fixtures: the embedded default policy, compiled once, and small message builders.
enum Fixture {
    static let pipeline: Pipeline = {
        do { return try PolicySource.embeddedDefault.compile(key: nil) } catch { fatalError("default policy: \(error)") }
    }()

    static func session() -> PipelineSession { pipeline.makeSession() }

    /// A message from text with LF line endings turned into CRLF.
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    static func lf(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func check(_ message: [UInt8], recipients: [String]? = nil, channel: String? = nil) -> MailVerdict {
        MailProcessor.check(message, session: session(), recipients: recipients, channel: channel)
    }

    static func redact(_ message: [UInt8], recipients: [String]? = nil, channel: String? = nil) -> (output: [UInt8], verdict: MailVerdict) {
        MailProcessor.redact(message, session: session(), recipients: recipients, channel: channel)
    }

    static func outline(_ message: [UInt8]) -> [String] {
        var parser = MIMEParser(message)
        return parser.parse().outline
    }

    /// The structure of a message with header-only differences ignored: what a redaction must keep.
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static func tempDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "redline-mail-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let examplesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/mail").path
}
