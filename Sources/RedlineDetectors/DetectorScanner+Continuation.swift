import RedlineCore
import RedlinePCRE2

extension DetectorScanner {
    /// Where, in `text`, a value could begin that the end of `text` leaves unfinished: the earliest
    /// start of a partial match of any pattern detector (built-in or custom), or nil when no
    /// detector's pattern is still open at the end. Derived from the patterns themselves, so every
    /// kind whose pattern lets a value run on past a line break (digit groups, a NINO, an IBAN, a
    /// custom pattern) is covered without a list per kind. A detector that hits a match limit here
    /// counts as open (fail-closed: hold rather than let a half value out).
    ///
    /// Anchored kinds (e-mail) grow from a byte and never cross a line break, so they are not asked.
    public func openValueStart(_ text: ScanText) -> Int? {
        if partialScratch == nil { partialScratch = detectors.map { $0.pattern.map(MatchScratch.init) } }
        var earliest: Int?
        text.bytes.withUnsafeBufferPointer { buffer in
            for scratch in partialScratch! {
                guard let scratch else { continue }
                let start: Int?
                switch scratch.partialStart(in: buffer) {
                case let .success(found): start = found
                case .failure: start = 0
                }
                if let start, start < (earliest ?? Int.max) { earliest = start }
            }
        }
        return earliest
    }
}
