import RedlineCore
import RedlineEngine

/// Scans a text stream in bounded windows. Each window is scanned whole, but only findings that
/// start before its commit point are reported; the tail (the overlap) is scanned again with the
/// next window, so a number that straddles a read-buffer boundary is still found (the overlap
/// counts only characters normalisation keeps, so invisible padding cannot stretch a number
/// beyond it). Memory stays
/// at about one window whatever the input size or line length.
public final class TextStream {
    public struct Chunk {
        /// Original bytes, ready to emit (redacted by the caller if it wants).
        public var bytes: ArraySlice<UInt8>
        /// Absolute offset of `bytes.first` in the input.
        public var offset: Int
        /// Findings inside `bytes` (absolute offsets).
        public var findings: [Finding]
        public var failures: [Diagnostic]
        /// Strictest action in this chunk, fail-closed detector errors included.
        public var verdict: Action
        /// 1-based line number of the chunk's first byte.
        public var firstLine: Int
        /// The action decided for detectors that could not finish on this chunk (fail-closed).
        public var failClosed: Action = .allow
        public var failedDetector: String?
    }

    let session: PipelineSession
    let channel: String
    let windowSize: Int
    let overlap: Int
    /// Commit at every newline available after each read (interactive filters).
    let eager: Bool
    private var pending: [UInt8] = []
    private var state = DecisionState()
    private var position = TextPosition()

    public init(session: PipelineSession, channel: String, windowSize: Int = 1 << 20, overlap: Int = 4096, eager: Bool = false) {
        self.session = session
        self.channel = channel
        self.windowSize = max(windowSize, overlap * 4)
        self.overlap = overlap
        self.eager = eager
    }

    /// Adds input and calls `emit` for every chunk that is ready.
    public func feed(_ bytes: ArraySlice<UInt8>, emit: (Chunk) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        while pending.count >= windowSize {
            try process(cut: cutPoint(), emit: emit)
        }
        if eager, let lastNewline = pending.lastIndex(of: 10) {
            try process(cut: lastNewline + 1, emit: emit)
        }
    }

    /// Ends the input: emits what is left.
    public func finish(emit: (Chunk) throws -> Void) throws {
        while !pending.isEmpty {
            try process(cut: pending.count, emit: emit)
        }
    }

    /// Where to commit in a full window: after the last line break or space before the overlap,
    /// else at a UTF-8 boundary. The overlap is measured in normalised text: a value stretched by
    /// thousands of zero-width characters still lies whole in the next window (up to half a window).
    private func cutPoint() -> Int {
        let limit = max(1, Pipeline.overlapStart(pending, overlap: overlap, maxBytes: windowSize / 2))
        let floor = max(0, limit - overlap)
        var index = limit
        while index > floor {
            let byte = pending[index - 1]
            if byte == 10 || byte == 32 || byte == 9 { return index }
            index -= 1
        }
        index = limit
        while index > 0, pending[index] & 0xC0 == 0x80 { index -= 1 }
        return max(index, 1)
    }

    private func process(cut: Int, emit: (Chunk) throws -> Void) throws {
        let base = position.offset
        let firstLine = position.line
        let (result, nextStart) = session.scan(pending, channel: channel, state: &state, position: &position, commitLimit: cut)
        let end = min(max(nextStart, cut), pending.count)
        try emit(Chunk(bytes: pending[0..<end], offset: base, findings: result.findings, failures: result.failures, verdict: result.verdict, firstLine: firstLine,
                       failClosed: result.failClosed, failedDetector: result.failedDetector))
        pending.removeFirst(end)
    }
}
