import Foundation

/// Bounds on every untrusted container (defaults as in issue 13): a hostile attachment is
/// reported unscannable instead of exhausting memory, time or disk.
public struct ExtractLimits: Sendable {
    /// Containers inside containers (a ZIP in a ZIP is depth 2).
    public var depth = 3
    /// Entries in one archive, and in all archives of one message together.
    public var entries = 10_000
    /// Bytes produced by decompression for one message (all attachments together).
    public var expandedBytes = 256 * 1024 * 1024
    /// Largest ratio of expanded to compressed size for one entry.
    public var ratio = 200
    /// Wall-clock time for one message's extraction.
    public var seconds: Double = 30
    /// Text kept for scanning per message (the rest of a huge document is reported unscannable).
    public var textBytes = 64 * 1024 * 1024

    public init() {}
}

/// What one message has used of its limits. Shared by every container of the message; a
/// reference so nested readers and stream consumers charge the same account.
public final class ExtractBudget: @unchecked Sendable {
    public let limits: ExtractLimits
    private(set) var expanded = 0
    private(set) var entries = 0
    private(set) var text = 0
    let deadline: Date

    public init(limits: ExtractLimits = ExtractLimits()) {
        self.limits = limits
        deadline = Date().addingTimeInterval(limits.seconds)
    }

    func checkTime() throws(ExtractProblem) {
        if Date() > deadline {
            throw ExtractProblem(ExtractCode.timeLimit, "over the per-message time limit of \(Int(limits.seconds)) s")
        }
    }

    func charge(expanded bytes: Int) throws(ExtractProblem) {
        expanded += bytes
        if expanded > limits.expandedBytes {
            throw ExtractProblem(ExtractCode.tooLarge, "expands past \(limits.expandedBytes / (1024 * 1024)) MiB per message")
        }
    }

    func charge(entries count: Int) throws(ExtractProblem) {
        entries += count
        if entries > limits.entries {
            throw ExtractProblem(ExtractCode.tooManyEntries, "more than \(limits.entries) archive entries")
        }
    }

    /// Whether `bytes` more text may be kept (false once the text budget is spent).
    func charge(text bytes: Int) throws(ExtractProblem) {
        text += bytes
        if text > limits.textBytes {
            throw ExtractProblem(ExtractCode.tooLarge, "more than \(limits.textBytes / (1024 * 1024)) MiB of text per message")
        }
    }
}
