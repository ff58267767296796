import Foundation
import Logging
import RedlineCore
import NIOConcurrencyHelpers

/// Log line formats.
public enum LogFormat: String, Sendable, CaseIterable {
    case logfmt
    case json
}

/// A swift-log handler writing one line per event to stderr (journald picks it up), as logfmt
/// (`ts=… level=info msg=decision queue_id=4Xb… verdict=redact`) or JSON. The servers (milter,
/// `redline serve`) only put closed-set values into metadata: ids, counts, verdicts, durations — never message content.
public struct StructuredLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let sink: @Sendable (String) -> Void

    public init(label: String, format: LogFormat, sink: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError) {
        self.label = label
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    private static let lock = NIOLock()

    /// One `write(2)` per line (a line is written whole or, on a broken stderr, dropped; never
    /// interleaved with another thread's line).
    @Sendable public static func standardError(_ line: String) {
        var line = line
        line.append("\n")
        line.withUTF8 { bytes in
            lock.withLock {
                var offset = 0
                while offset < bytes.count {
                    let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", LogTimestamp.now()),
            ("level", event.level.rawValue),
            ("msg", event.message.description),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() { fields.append((key, merged[key]!.description)) }
        sink(Self.render(fields, format: format))
    }

    public static func render(_ fields: [(String, String)], format: LogFormat) -> String {
        switch format {
        case .logfmt:
            return fields.map { key, value in "\(key)=\(logfmtValue(value))" }.joined(separator: " ")
        case .json:
            return "{" + fields.map { key, value in "\(jsonString(key)):\(jsonString(value))" }.joined(separator: ",") + "}"
        }
    }

    /// A logfmt value: bare when it is plain printable ASCII without `"`, `=` or a backslash, else quoted
    /// with the project's one escaper (control characters escaped too, so nothing raw reaches the log).
    public static func logfmtValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 && $0 != "\"" && $0 != "=" && $0 != "\\" }
        return plain ? value : JSONText.quoted(value)
    }

    static func jsonString(_ value: String) -> String { JSONText.quoted(value) }
}
