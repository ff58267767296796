import Foundation
import RedlineCore

/// Report formats of `scan`: those of `check` plus CSV and a self-contained HTML report.
public enum ScanFormat: String, Sendable, CaseIterable {
    case text, json, jsonl, sarif, csv, html
}

/// `--channel-map GLOB=CHANNEL` (or a `paths:` entry of the policy): files whose path under a
/// scanned root matches the glob (`*` and `**` cross folders) are scanned as if `--channel`
/// named that channel. The first matching mapping wins; command-line mappings come first.
public struct ChannelMapping: Sendable, Equatable {
    public var pattern: String
    public var channel: String
    public init(pattern: String, channel: String) {
        self.pattern = pattern
        self.channel = channel
    }

    /// `chat/**=chat` → pattern `chat/**`, channel `chat`; nil with the problem otherwise.
    public static func parse(_ text: String) -> Result<ChannelMapping, ToolMessage> {
        guard let equals = text.lastIndex(of: "=") else {
            return .failure(ToolMessage("--channel-map must be GLOB=CHANNEL (e.g. 'chat/**=chat'), got '\(text)'"))
        }
        let pattern = String(text[..<equals]), channel = String(text[text.index(after: equals)...])
        guard !pattern.isEmpty, !channel.isEmpty else {
            return .failure(ToolMessage("--channel-map needs a glob and a channel on each side of '=', got '\(text)'"))
        }
        return .success(ChannelMapping(pattern: pattern, channel: channel))
    }
}

/// A message for the user (an option that does not parse).
public struct ToolMessage: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// `scan` settings.
public struct ScanOptions: Sendable {
    /// Files and directories to scan (walked recursively).
    public var paths: [String] = []
    public var policy = PolicyOptions()
    /// Force one input mode for every file found (default: recognised per file).
    public var input: InputMode?
    public var fields = RecordFields()
    /// Glob patterns (fnmatch, `*` crosses `/`) matched against the path relative to its root
    /// and against the file name: with includes, a file must match one; excludes skip files and folders.
    public var include: [String] = []
    public var exclude: [String] = []
    public var format: ScanFormat = .text
    public var output: String?
    public var failOn: Action = .flag
    /// Worker threads (default: every core).
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// `-q`: no progress bar.
    public var quiet = false
    /// Text format: list every finding before the summary.
    public var listFindings = false
    /// Report only findings whose fingerprint is not in this baseline.
    public var baseline: String?
    /// Write the fingerprints of every finding to this baseline.
    public var writeBaseline: String?
    /// Append one audit record per decision (message, record, text file).
    public var audit: String?
    /// CSV: start with a UTF-8 byte-order mark (Excel).
    public var csvBOM = false
    /// Folder globs → channel (`--channel-map`), before the policy's own `paths:`.
    public var channelMap: [ChannelMapping] = []
    /// Progress on stderr: nil → when stderr is a terminal and `CI` is unset.
    public var progress: Bool?
    /// `--shard K/N`: scan only the files of shard K (``ScanShard``).
    public var shard: ScanShard?
    public init() {}
}
