import RedlineCore
import RedlineEngine

/// A value begun in a record of a conversation that had already been written (its hold time had
/// passed) and completed in a later record of the same conversation. No content: the finding,
/// clipped to the completing record, and a byte count.
struct RecordLateCompletion {
    /// The finding, clipped to the completing record's first scanned value.
    var finding: Finding
    /// Bytes of the value that had already been written, unredacted.
    var bytesAlreadyWritten: Int
    /// 0-based index of the written record the value began in.
    var releasedRecord: Int

    /// What stderr says (no content): `record` the completing record, `done` what became of the
    /// part in it, `out` what had happened to the earlier record (`written`, `decided`).
    func message(record: Int, holdMs: Int, done: String, out: String) -> String {
        "record \(record): a \(finding.detector) value begun in record \(releasedRecord) of the same conversation was completed after "
            + "that record's \(holdMs) ms hold had passed: \(bytesAlreadyWritten) byte(s) of it were already \(out) unredacted; "
            + "\(done) (rule \(finding.rule ?? "-"))"
    }
}

/// `--conversation-field`: the records of one conversation (the same value in that field) are read
/// like consecutive lines of a text, so a value typed across two chat messages is found.
///
/// The model is the one of ``TextStream``'s line hold, per conversation. A record whose last
/// scanned value ends where a value could begin (``PipelineSession/openValueStart(_:)``: a
/// detector's pattern still open at its end, with a line break after it) is *held*: it is not
/// handed on until the next record of its conversation arrives — then the end of the one and the
/// start of the other are scanned together, and a value found across them is added to both
/// records, so both parts are redacted — or until the hold time passes. A record released after
/// its hold keeps its open tail: when the next record of the conversation completes a value begun
/// in it, that record's part is redacted and the outcome carries a ``RecordLateCompletion`` (the
/// part already written cannot be taken back).
///
/// Records leave in input order, one out per record in: records of other conversations that
/// arrive while a record is held wait behind it (at most the hold time, and at most
/// ``maxQueued`` records: then the oldest held record is released early).
final class ConversationHold {
    /// A record (a copy of its bytes and its outcome) or a record over the size limit, in input order.
    enum Item {
        case record(index: Int, raw: [UInt8], outcome: RecordOutcome)
        case tooLarge(index: Int, size: Int)
    }

    /// The end of a record's last scanned value where a value could begin, with where it lies in
    /// that value (to clip a finding to it).
    struct OpenTail {
        /// The value's last bytes (at most ``probeLength``, from a character boundary).
        var bytes: [UInt8]
        /// Offset of `bytes` in the value, the value's length, and line, column and scalar offset
        /// of `bytes.first` in the value.
        var offset: Int
        var valueLength: Int
        var line: Int
        var column: Int
        var scalar: Int
        var record: Int
    }

    private struct Entry {
        var item: Item
        var added = AddedFindings()
        var late: [RecordLateCompletion] = []
        var tail: OpenTail?
        /// While held: when it is released (monotonic milliseconds).
        var deadline: Double?
    }

    let session: PipelineSession
    let holdMs: Int
    /// Decides a record again with findings added (its bytes, index and the added findings).
    let redo: ([UInt8], Int, AddedFindings) -> RecordOutcome
    /// How far back from a value's end a value's start is looked for, and how much of the next
    /// record's first value is scanned with it.
    static let probeLength = 512
    static let headLength = 4096
    /// Records waiting behind held ones, at most.
    static let maxQueued = 1024
    /// Conversations whose released open tail is remembered, at most (the oldest is forgotten).
    static let maxReleased = 4096

    private var queue: [Entry] = []
    /// Sequence number of `queue[0]` (entries are numbered in input order).
    private var first = 0
    /// Conversation → sequence number of its held record.
    private var held: [String: Int] = [:]
    /// Conversation → open tail of its last record, written after its hold passed.
    private var released: [String: OpenTail] = [:]
    private var releasedOrder: [String] = []

    init(session: PipelineSession, holdMs: Int, redo: @escaping ([UInt8], Int, AddedFindings) -> RecordOutcome) {
        self.session = session
        self.holdMs = holdMs
        self.redo = redo
    }

    /// True while a record is held.
    var isHolding: Bool { !held.isEmpty }

    /// The earliest time a held record is released.
    var nextDeadline: Double? { queue.compactMap(\.deadline).min() }

    /// Adds a record decided by the processor and hands on every record that is ready.
    func add(index: Int, raw: [UInt8], outcome: RecordOutcome, emit: (Item) throws -> Void) throws {
        var entry = Entry(item: .record(index: index, raw: raw, outcome: outcome))
        if let key = outcome.conversation, !key.isEmpty, let text = outcome.conversationText {
            if let sequence = held.removeValue(forKey: key) {
                let position = sequence - first
                if let tail = queue[position].tail {
                    let parts = split(tail, head: text.head, channel: outcome.channel)
                    if !parts.isEmpty {
                        queue[position].added.tail += parts.map(\.tail)
                        redecide(&queue[position])
                        entry.added.head += parts.map(\.head)
                    }
                }
                queue[position].deadline = nil
            } else if let tail = forgetReleased(key) {
                let parts = split(tail, head: text.head, channel: outcome.channel)
                for part in parts {
                    entry.added.head.append(part.head)
                    entry.late.append(RecordLateCompletion(finding: part.head, bytesAlreadyWritten: part.written, releasedRecord: tail.record))
                }
            }
            if !entry.added.isEmpty { redecide(&entry) }
            if let tail = openTail(text.tail, record: index) {
                entry.tail = tail
                if holdMs > 0 {
                    entry.deadline = monotonicMilliseconds() + Double(holdMs)
                    held[key] = first + queue.count
                } else {
                    remember(tail, for: key)
                }
            }
        }
        queue.append(entry)
        if queue.count > ConversationHold.maxQueued, let oldest = queue.firstIndex(where: { $0.deadline != nil }) {
            release(at: oldest)
        }
        try flush(emit: emit)
    }

    /// Adds a record over the size limit (reported in its place in the order).
    func addTooLarge(index: Int, size: Int, emit: (Item) throws -> Void) throws {
        queue.append(Entry(item: .tooLarge(index: index, size: size)))
        try flush(emit: emit)
    }

    /// Releases the held records whose hold time has passed by `now`.
    func releaseExpired(now: Double, emit: (Item) throws -> Void) throws {
        for position in queue.indices where (queue[position].deadline ?? .infinity) <= now { release(at: position) }
        try flush(emit: emit)
    }

    /// Before a read that may block: while a record is held, waits for input at most until the
    /// next hold time passes, releasing what expires.
    func wait(for input: InputStream, emit: (Item) throws -> Void) throws {
        while let deadline = nextDeadline {
            let now = monotonicMilliseconds()
            if deadline > now, input.waitReadable(milliseconds: Int((deadline - now).rounded(.up))) { return }
            try releaseExpired(now: max(now, deadline), emit: emit)
        }
    }

    /// End of input: hands on everything, held records included.
    func finish(emit: (Item) throws -> Void) throws {
        for position in queue.indices { queue[position].deadline = nil }
        held.removeAll()
        try flush(emit: emit)
    }

    private func release(at position: Int) {
        guard queue[position].deadline != nil else { return }
        queue[position].deadline = nil
        guard case let .record(_, _, outcome) = queue[position].item, let key = outcome.conversation else { return }
        held.removeValue(forKey: key)
        if let tail = queue[position].tail { remember(tail, for: key) }
    }

    private func flush(emit: (Item) throws -> Void) throws {
        var count = 0
        while count < queue.count, queue[count].deadline == nil {
            var item = queue[count].item
            if case .record(let index, let raw, var outcome) = item, !queue[count].late.isEmpty {
                outcome.lateCompletions = queue[count].late
                item = .record(index: index, raw: raw, outcome: outcome)
            }
            try emit(item)
            count += 1
        }
        if count > 0 {
            queue.removeFirst(count)
            first += count
        }
    }

    private func redecide(_ entry: inout Entry) {
        guard case let .record(index, raw, _) = entry.item else { return }
        var outcome = redo(raw, index, entry.added)
        outcome.lateCompletions = entry.late
        entry.item = .record(index: index, raw: raw, outcome: outcome)
    }

    private func remember(_ tail: OpenTail, for key: String) {
        if released.updateValue(tail, forKey: key) == nil { releasedOrder.append(key) }
        if releasedOrder.count > ConversationHold.maxReleased {
            let oldest = releasedOrder.removeFirst()
            released.removeValue(forKey: oldest)
        }
    }

    private func forgetReleased(_ key: String) -> OpenTail? {
        guard let tail = released.removeValue(forKey: key) else { return nil }
        if let position = releasedOrder.firstIndex(of: key) { releasedOrder.remove(at: position) }
        return tail
    }

    /// The open tail of a value: its last bytes when a value could begin in them, read as a line
    /// (a line break after it, as between two lines of a text).
    func openTail(_ value: [UInt8], record: Int) -> OpenTail? {
        var start = max(0, value.count - ConversationHold.probeLength)
        while start < value.count, value[start] & 0xC0 == 0x80 { start += 1 }
        guard start < value.count else { return nil }
        let probe = Array(value[start...])
        guard session.openValueStart((probe + [10])[...]) != nil else { return nil }
        var tail = OpenTail(bytes: probe, offset: start, valueLength: value.count, line: 1, column: 1, scalar: 0, record: record)
        ConversationHold.advance(value[..<start], line: &tail.line, column: &tail.column, scalar: &tail.scalar)
        return tail
    }

    /// The values found across `tail` and the start of the next record's first value `head`, as
    /// the part in each record (offsets relative to that record's value) and the bytes in the tail.
    func split(_ tail: OpenTail, head: [UInt8], channel: String) -> [(tail: Finding, head: Finding, written: Int)] {
        var headEnd = min(head.count, ConversationHold.headLength)
        while headEnd < head.count, head[headEnd] & 0xC0 == 0x80 { headEnd -= 1 }
        let joined = tail.bytes + [10] + head[..<headEnd]
        let split = tail.bytes.count + 1
        var parts: [(tail: Finding, head: Finding, written: Int)] = []
        for found in session.scan(joined, channel: channel).findings where found.start < tail.bytes.count && found.end > split {
            var first = found
            first.start = tail.offset + found.start
            first.end = tail.valueLength
            var line = tail.line, column = tail.column, scalar = tail.scalar
            ConversationHold.advance(tail.bytes[..<found.start], line: &line, column: &column, scalar: &scalar)
            (first.line, first.column, first.scalarStart) = (line, column, scalar)
            ConversationHold.advance(tail.bytes[found.start...], line: &line, column: &column, scalar: &scalar)
            first.scalarEnd = scalar
            var second = found
            second.start = 0
            second.end = found.end - split
            (second.line, second.column, second.scalarStart) = (1, 1, 0)
            second.scalarEnd = head[..<second.end].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            parts.append((first, second, tail.bytes.count - found.start))
        }
        return parts
    }

    /// Moves a 1-based line and column (in scalars) and a scalar offset over `bytes`.
    static func advance(_ bytes: ArraySlice<UInt8>, line: inout Int, column: inout Int, scalar: inout Int) {
        for byte in bytes where byte & 0xC0 != 0x80 {
            scalar += 1
            if byte == 10 {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
    }
}
