import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract

/// Scans the windows of a large attachment (``SheetWindows``) on a second thread while the
/// reading thread reads the next ones, so that reading and scanning overlap on a server with
/// two cores. Only windows are scanned ahead: small messages start no thread.
///
/// The thread has its own ``PipelineSession`` (same compiled pipeline, sender and flags: a
/// session holds only scratch space besides them) and the message's ``DecisionState``, which
/// the caller takes back to scan the other units. The order texts are scanned in does not change
/// a message's outcome: thresholds count over the whole message and units decided before the
/// last threshold was reached are decided again (``DecisionState/isFinal(_:)``). The thread's
/// CPU time is scanning, not extraction: it does not count against the extraction time limit
/// (which bounds reading; a message read whole is scanned whole, however long that takes, as when
/// the windows are scanned on the reading thread).
final class ScanAhead: @unchecked Sendable {
    /// The thread's session, made with the thread (at the first window): a session costs a
    /// detector scanner and its keyword table, about 700,000 instructions, which a message
    /// without a large attachment (nearly all of them) should not pay.
    private var session: PipelineSession?
    private let pipeline: Pipeline
    private let sender: SenderContext
    private let computesConfidence: Bool
    private let computesFingerprints: Bool
    private let channel: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [(token: Int, text: [UInt8], label: String, source: AttachmentSource)] = []
    private var closed = false
    // Written by the thread only, read after `finished`.
    private var state = DecisionState()
    private var results: [Int: (result: ScanResult, length: Int)] = [:]
    private var started = false
    /// Whether the thread was made (`pthread_create` can fail, when a server is out of threads).
    private var threadRunning = false
    private let finished = DispatchSemaphore(value: 0)
    private var nextToken = 0

    init(like session: PipelineSession, channel: String) {
        pipeline = session.pipeline
        sender = session.sender
        computesConfidence = session.computesConfidence
        computesFingerprints = session.computesFingerprints
        self.channel = channel
    }

    /// Hands a window's text to the thread (started at the first); returns the token its result
    /// is found under. Its findings come back labelled with where they are in `source`, as
    /// ``MailProcessor/placeAttachments`` labels them (the same masked names: masking depends on
    /// the pipeline and the channel only).
    func enqueue(_ text: [UInt8], label: String, source: AttachmentSource) -> Int {
        let token = nextToken
        nextToken += 1
        if !started {
            started = true
            let own = pipeline.makeSession()
            own.sender = sender
            own.computesConfidence = computesConfidence
            own.computesFingerprints = computesFingerprints
            session = own
            threadRunning = Self.spawn(self)
        }
        // No thread (it could not be made): the caller scans the window on the reading thread.
        guard threadRunning else { return token }
        condition.lock()
        queue.append((token, text, label, source))
        condition.signal()
        condition.unlock()
        return token
    }

    private func run() {
        // Set by `enqueue` before the thread started.
        let session = self.session!
        var masker = NameMask(session: session, channel: channel)
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let item = queue.removeFirst()
            condition.unlock()
            var position = TextPosition()
            var result = session.scan(item.text, channel: channel, state: &state, position: &position,
                                      commitLimit: item.text.count, part: item.label).result
            MailProcessor.label(&result.findings, source: item.source, masker: &masker)
            results[item.token] = (result, item.text.count)
        }
        finished.signal()
    }

    /// Starts `run` on a thread of its own (8 MiB of stack, as the reading thread's PCRE2 work
    /// may need), detached; false, with nothing started, when the thread cannot be made.
    /// (Foundation's `Thread.start()` does not say when `pthread_create` fails: `finish` would
    /// then wait for ever.)
    private static func spawn(_ ahead: ScanAhead) -> Bool {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return false }
        defer { pthread_attr_destroy(&attributes) }
        _ = pthread_attr_setstacksize(&attributes, 8 << 20)
        let context = Unmanaged.passRetained(ahead).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            Unmanaged<ScanAhead>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<ScanAhead>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// Waits for the thread to scan what it was given. Returns each token's result with the
    /// length of the text scanned, and the decision state to go on with.
    func finish() -> (results: [Int: (result: ScanResult, length: Int)], state: DecisionState) {
        guard started, threadRunning else { return ([:], DecisionState()) }
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
        finished.wait()
        return (results, state)
    }
}
