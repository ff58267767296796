import RedlineCore
import RedlineEngine

/// Scans a text stream in bounded windows. Each window is scanned whole, but only findings that
/// start before its commit point are reported; the tail (the overlap) is scanned again with the
/// next window, so a number that straddles a read-buffer boundary is still found (the overlap
/// counts only characters normalisation keeps, so invisible padding cannot stretch a number
/// beyond it). Memory stays
/// at about one window whatever the input size or line length.
///
/// **Line-buffered hold** (`eager` with `holds`): a line is written as soon as it is read, so a
/// value split over two lines (`card 4111 1111` ⏎ `1111 1111`) would leave half by half. When the
/// last line read ends where a value could begin (``PipelineSession/openValueStart(_:)``: a
/// detector's pattern is still open at the line's end), that line is held (``isHolding``) until
/// more input arrives, when it is scanned together with the next line, or until the caller's
/// hold time passes and it calls ``release(emit:)``. The open tail of a released line is kept: if
/// the next line completes a value begun in it, that line's part of the value is redacted and the
/// chunk reports a ``LateCompletion`` (the part already written cannot be taken back).
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
        /// Values begun in a line released after its hold and completed in this chunk (their
        /// findings, clipped to this chunk, are also in `findings`).
        public var lateCompletions: [LateCompletion] = []
    }

    /// A value whose first part was already written (its line was released after the hold time)
    /// when the next line completed it. No content: a finding clipped to the completing chunk and
    /// a byte count.
    public struct LateCompletion {
        /// The finding, clipped to the completing chunk (offsets absolute).
        public var finding: Finding
        /// Bytes of the value that had already been written, unredacted.
        public var bytesAlreadyWritten: Int
        /// 1-based number of the released line the value began on.
        public var releasedLine: Int
    }

    let session: PipelineSession
    let channel: String
    let windowSize: Int
    let overlap: Int
    /// Commit at every newline available after each read (interactive filters).
    let eager: Bool
    /// Hold a last line whose end could begin a value (with `eager`).
    let holds: Bool
    private var pending: [UInt8] = []
    /// Decisions so far (thresholds): a caller scanning several values as one decision sets and
    /// reads it between them.
    var state = DecisionState()
    private var position = TextPosition()
    /// True while the last complete line read is held back (see the type's documentation).
    public private(set) var isHolding = false
    /// Counts the lines held so far (a caller restarts its hold time when it changes).
    public private(set) var holdCount = 0
    private var heldLineEnd = -1
    /// The open tail of the last released line and its line number.
    private var releasedTail: (bytes: [UInt8], line: Int)?
    /// How far back from a held line's end a value's start is looked for.
    static let probeLength = 512

    public init(session: PipelineSession, channel: String, windowSize: Int = 1 << 20, overlap: Int = 4096, eager: Bool = false, holds: Bool = false) {
        self.session = session
        self.channel = channel
        self.windowSize = max(windowSize, overlap * 4)
        self.overlap = overlap
        self.eager = eager
        self.holds = eager && holds
    }

    /// Adds input and calls `emit` for every chunk that is ready.
    public func feed(_ bytes: ArraySlice<UInt8>, emit: (Chunk) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        isHolding = false
        while pending.count >= windowSize {
            try process(cut: cutPoint(), emit: emit)
        }
        if eager, let lastNewline = pending.lastIndex(of: 10) {
            var cut = lastNewline + 1
            if holds, let line = lastLine(endingAt: cut), session.openValueStart(pending[probeStart(line)..<cut]) != nil {
                isHolding = true
                // Absolute end of the held line: a new line held starts a new hold time.
                let end = position.offset + cut
                if end != heldLineEnd { heldLineEnd = end; holdCount += 1 }
                cut = line.lowerBound
            }
            if cut > 0 { try process(cut: cut, emit: emit) }
        }
    }

    /// The hold time passed: writes the held line as it is, keeping its open tail to check the
    /// next line against.
    public func release(emit: (Chunk) throws -> Void) throws {
        guard isHolding else { return }
        isHolding = false
        guard let lastNewline = pending.lastIndex(of: 10), let line = lastLine(endingAt: lastNewline + 1) else { return }
        let probe = probeStart(line)
        let open = session.openValueStart(pending[probe..<line.upperBound]).map { probe + $0 } ?? line.upperBound
        let tail = Array(pending[open..<line.upperBound])
        let lineNumber = position.line + pending[..<line.lowerBound].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        try process(cut: line.upperBound, emit: emit)
        if !tail.isEmpty { releasedTail = (tail, lineNumber) }
    }

    /// Ends the input: emits what is left.
    public func finish(emit: (Chunk) throws -> Void) throws {
        isHolding = false
        while !pending.isEmpty {
            try process(cut: pending.count, emit: emit)
        }
    }

    /// The last complete line of `pending[..<end]` (`end` just after a newline).
    private func lastLine(endingAt end: Int) -> Range<Int>? {
        guard end > 0 else { return nil }
        let start = pending[..<(end - 1)].lastIndex(of: 10).map { $0 + 1 } ?? 0
        return start..<end
    }

    /// Where the probe for an open value starts in `line`: at most ``probeLength`` bytes before
    /// its end, on a character boundary.
    private func probeStart(_ line: Range<Int>) -> Int {
        var start = max(line.lowerBound, line.upperBound - TextStream.probeLength)
        while start < line.upperBound, pending[start] & 0xC0 == 0x80 { start += 1 }
        return start
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
        let start = position
        let (result, nextStart) = session.scan(pending, channel: channel, state: &state, position: &position, commitLimit: cut)
        let end = min(max(nextStart, cut), pending.count)
        do {
            // The chunk's slice shares `pending`'s storage: it ends with this scope, so that the
            // removal below shifts the short tail in place rather than copying the whole window.
            var chunk = Chunk(bytes: pending[0..<end], offset: base, findings: result.findings, failures: result.failures, verdict: result.verdict,
                              firstLine: firstLine, failClosed: result.failClosed, failedDetector: result.failedDetector)
            if let tail = releasedTail {
                releasedTail = nil
                completeLate(tail, chunk: &chunk, start: start)
            }
            try emit(chunk)
        }
        pending.removeFirst(end)
    }

    /// Scans a released line's open tail joined to this chunk: a value that starts in the tail and
    /// ends in the chunk is added, clipped to the chunk, as a finding and a ``LateCompletion``.
    private func completeLate(_ tail: (bytes: [UInt8], line: Int), chunk: inout Chunk, start: TextPosition) {
        let joined = tail.bytes + chunk.bytes
        let result = session.scan(joined, channel: channel)
        let split = tail.bytes.count
        for found in result.findings where found.start < split && found.end > split {
            var clipped = found
            clipped.start = chunk.offset
            clipped.end = chunk.offset + found.end - split
            clipped.line = start.line
            clipped.column = start.column
            clipped.scalarStart = start.scalar
            clipped.scalarEnd = start.scalar + chunk.bytes.prefix(found.end - split).reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            chunk.lateCompletions.append(LateCompletion(finding: clipped, bytesAlreadyWritten: split - found.start, releasedLine: tail.line))
            chunk.findings.append(clipped)
            chunk.verdict = max(chunk.verdict, clipped.action)
        }
        if !chunk.lateCompletions.isEmpty { chunk.findings.sort { ($0.start, $0.end) < ($1.start, $1.end) } }
    }
}

extension TextStream {
    /// Reads `input` to its end through the stream. While a line is held (``isHolding``), waits
    /// at most `holdMs` for more input, then releases it (``release(emit:)``).
    public func drain(_ input: InputStream, holdMs: Int, emit: (Chunk) throws -> Void) throws {
        // While a line is held: the time by which it is written if no more input comes.
        var deadline: (hold: Int, at: Double)?
        while true {
            if isHolding {
                let now = monotonicMilliseconds()
                let until = deadline?.hold == holdCount ? deadline!.at : now + Double(holdMs)
                deadline = (holdCount, until)
                if !input.waitReadable(milliseconds: Int((until - now).rounded(.up))) {
                    try release(emit: emit)
                    deadline = nil
                    continue
                }
            }
            let piece = try input.read()
            if piece.isEmpty { break }
            try feed(piece, emit: emit)
        }
        try finish(emit: emit)
    }
}
