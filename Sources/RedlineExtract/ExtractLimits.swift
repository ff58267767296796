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
    /// CPU time for one message's extraction, counted on the thread doing it. CPU time, not wall
    /// time: on a loaded mail server a wall-clock limit would let a big, harmless-looking
    /// attachment go out unscanned (X005) only because other work held the processor.
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
    /// CPU seconds charged so far, and the thread and clock reading they were last charged from.
    /// Work is charged only between two readings on the same thread, so a hop to another thread
    /// never charges a difference between two threads' clocks.
    private(set) var cpuSeconds = 0.0
    private var lastThread: pthread_t
    private var lastClock: Double
    public init(limits: ExtractLimits = ExtractLimits()) {
        self.limits = limits
        lastThread = pthread_self()
        lastClock = Self.threadCPUTime()
    }

    func checkTime() throws(ExtractProblem) {
        let clock = Self.threadCPUTime(), thread = pthread_self()
        if pthread_equal(thread, lastThread) != 0 { cpuSeconds += max(0, clock - lastClock) }
        lastThread = thread
        lastClock = clock
        if cpuSeconds >= limits.seconds {
            throw ExtractProblem(ExtractCode.timeLimit, "over the per-message time limit of \(Int(limits.seconds)) s of CPU")
        }
    }

    static func threadCPUTime() -> Double { cpuTime(CLOCK_THREAD_CPUTIME_ID) }

    static func cpuTime(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
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
