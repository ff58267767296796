import CPCRE2

/// The result of one match attempt.
public enum MatchOutcome: Equatable, Sendable {
    /// A match; `groups[0]` is the whole match, other entries are capture groups (nil when unset).
    case match(groups: [Range<Int>?])
    case noMatch
    /// PCRE2 stopped: match or depth limit, heap limit, or another runtime error.
    case failed(PCRE2Error)
}

/// Per-thread matching state for one pattern: match data, a match context carrying the limits,
/// and a JIT stack. Not thread-safe; create one per task. Every handle is freed in `deinit`.
public final class MatchScratch {
    public let pattern: CompiledPattern
    private let matchData: OpaquePointer
    private let context: OpaquePointer
    private let jitStack: OpaquePointer?

    public init(_ pattern: CompiledPattern) {
        self.pattern = pattern
        guard let data = pcre2_match_data_create_from_pattern_8(pattern.code, nil),
              let ctx = pcre2_match_context_create_8(nil)
        else {
            fatalError("PCRE2 could not allocate match data (out of memory)")
        }
        matchData = data
        context = ctx
        pcre2_set_match_limit_8(ctx, pattern.limits.matchLimit)
        pcre2_set_depth_limit_8(ctx, pattern.limits.depthLimit)
        pcre2_set_heap_limit_8(ctx, pattern.limits.heapLimitKiB)
        if pattern.isJITCompiled, let stack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil) {
            jitStack = stack
            pcre2_jit_stack_assign_8(ctx, nil, UnsafeMutableRawPointer(stack))
        } else {
            jitStack = nil
        }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    /// Finds the next match in `subject[from..<end]`, treating `subject[..<end]` as the subject
    /// (so look-behind sees text before `from`). The subject must be valid UTF-8 (not re-checked)
    /// and `from` must sit on a character boundary.
    public func firstMatch(in subject: UnsafeBufferPointer<UInt8>, from: Int, end: Int? = nil, anchored: Bool = false) -> MatchOutcome {
        let length = end ?? subject.count
        guard from <= length, let base = subject.baseAddress else {
            if subject.count == 0 && from == 0, !anchored {
                return matchEmpty()
            }
            return .noMatch
        }
        var options: UInt32 = PCRE2_NO_UTF_CHECK
        if anchored { options |= PCRE2_ANCHORED }
        let rc = pcre2_match_8(pattern.code, base, length, from, options, matchData, context)
        return outcome(rc)
    }

    /// Convenience for tests and small inputs.
    public func firstMatch(in subject: [UInt8], from: Int = 0) -> MatchOutcome {
        subject.withUnsafeBufferPointer { firstMatch(in: $0, from: from) }
    }

    private func matchEmpty() -> MatchOutcome {
        var empty: UInt8 = 0
        let rc = withUnsafePointer(to: &empty) { ptr in
            pcre2_match_8(pattern.code, ptr, 0, 0, PCRE2_NO_UTF_CHECK, matchData, context)
        }
        return outcome(rc)
    }

    private func outcome(_ rc: Int32) -> MatchOutcome {
        if rc == PCRE2_ERROR_NOMATCH { return .noMatch }
        if rc < 0 { return .failed(PCRE2Error(code: rc, offset: nil)) }
        let vector = pcre2_get_ovector_pointer_8(matchData)!
        let pairs = Int(pcre2_get_ovector_count_8(matchData))
        let used = rc == 0 ? pairs : Int(rc)
        let unset = redline_pcre2_unset()
        var groups: [Range<Int>?] = []
        groups.reserveCapacity(pattern.captureCount + 1)
        for index in 0...pattern.captureCount {
            if index < used {
                let start = vector[2 * index]
                let end = vector[2 * index + 1]
                groups.append(start == unset ? nil : Int(start)..<Int(max(start, end)))
            } else {
                groups.append(nil)
            }
        }
        return .match(groups: groups)
    }

    /// The whole-match range only, without allocating the capture array (hot path).
    public func nextRange(in subject: UnsafeBufferPointer<UInt8>, from: Int, end: Int? = nil) -> Result<Range<Int>?, PCRE2Error> {
        let length = end ?? subject.count
        guard from <= length, let base = subject.baseAddress else { return .success(nil) }
        let rc = pcre2_match_8(pattern.code, base, length, from, PCRE2_NO_UTF_CHECK, matchData, context)
        if rc == PCRE2_ERROR_NOMATCH { return .success(nil) }
        if rc < 0 { return .failure(PCRE2Error(code: rc, offset: nil)) }
        let vector = pcre2_get_ovector_pointer_8(matchData)!
        return .success(Int(vector[0])..<Int(max(vector[0], vector[1])))
    }

    /// Like ``nextRange(in:from:end:)``, but a match must start at or before `startLimit`
    /// (`pcre2_set_offset_limit`); the pattern must be compiled with ``PatternOptions/offsetLimit``.
    /// Pass nil for no limit. The text after `startLimit` is still seen by the match itself.
    public func nextRange(in subject: UnsafeBufferPointer<UInt8>, from: Int, startLimit: Int?) -> Result<Range<Int>?, PCRE2Error> {
        guard from <= subject.count, let base = subject.baseAddress else { return .success(nil) }
        pcre2_set_offset_limit_8(context, startLimit ?? redline_pcre2_unset())
        let rc = pcre2_match_8(pattern.code, base, subject.count, from, PCRE2_NO_UTF_CHECK, matchData, context)
        if rc == PCRE2_ERROR_NOMATCH { return .success(nil) }
        if rc < 0 { return .failure(PCRE2Error(code: rc, offset: nil)) }
        let vector = pcre2_get_ovector_pointer_8(matchData)!
        return .success(Int(vector[0])..<Int(max(vector[0], vector[1])))
    }

    /// Where a match could begin that the end of `subject` cuts short: the start of the first
    /// partial match (`PCRE2_PARTIAL_HARD`: the subject ran out while the pattern could still have
    /// matched, or extended a complete match), or nil when every match, complete or failed, ends
    /// before the end of the subject. Complete matches are stepped over. Used to decide whether a
    /// line that has been read could be the first half of a value the next line completes.
    /// Partial matching runs in the interpreter (the JIT is compiled for complete matches only).
    public func partialStart(in subject: UnsafeBufferPointer<UInt8>) -> Result<Int?, PCRE2Error> {
        guard let base = subject.baseAddress else { return .success(nil) }
        pcre2_set_offset_limit_8(context, redline_pcre2_unset())
        var from = 0
        while from <= subject.count {
            let rc = pcre2_match_8(pattern.code, base, subject.count, from, PCRE2_NO_UTF_CHECK | PCRE2_PARTIAL_HARD, matchData, context)
            if rc == PCRE2_ERROR_NOMATCH { return .success(nil) }
            let vector = pcre2_get_ovector_pointer_8(matchData)!
            if rc == PCRE2_ERROR_PARTIAL {
                let start = Int(vector[0])
                // Only look-behind characters inspected, nothing of the value itself: not a start.
                return .success(start < subject.count ? start : nil)
            }
            if rc < 0 { return .failure(PCRE2Error(code: rc, offset: nil)) }
            var next = max(Int(vector[1]), Int(vector[0]) + 1)
            while next < subject.count, subject[next] & 0xC0 == 0x80 { next += 1 }
            from = next
        }
        return .success(nil)
    }

    /// Capture group `index` of the last successful match (valid until the next match call).
    public func group(_ index: Int) -> Range<Int>? {
        guard index <= pattern.captureCount else { return nil }
        let vector = pcre2_get_ovector_pointer_8(matchData)!
        let start = vector[2 * index]
        if start == redline_pcre2_unset() { return nil }
        return Int(start)..<Int(max(start, vector[2 * index + 1]))
    }
}
