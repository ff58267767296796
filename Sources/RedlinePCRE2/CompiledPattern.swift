import CPCRE2

/// Options for compiling a pattern.
public struct PatternOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Case-insensitive matching (`PCRE2_CASELESS`).
    public static let caseless = PatternOptions(rawValue: 1 << 0)
    /// `^` and `$` match at line breaks (`PCRE2_MULTILINE`).
    public static let multiline = PatternOptions(rawValue: 1 << 1)
    /// `.` matches line breaks too (`PCRE2_DOTALL`).
    public static let dotAll = PatternOptions(rawValue: 1 << 2)
    /// Whitespace and `#` comments in the pattern are ignored (`PCRE2_EXTENDED`).
    public static let extended = PatternOptions(rawValue: 1 << 3)
    /// Unicode properties for `\d`, `\w`, `\b` (`PCRE2_UCP`). Slower; off by default.
    public static let unicodeProperties = PatternOptions(rawValue: 1 << 4)
    /// Allows ``MatchScratch/nextRange(in:from:startLimit:)`` to bound where a match may start
    /// (`PCRE2_USE_OFFSET_LIMIT`; the JIT supports it).
    public static let offsetLimit = PatternOptions(rawValue: 1 << 5)
}

/// Limits applied to every match, so that no pattern can hang the process.
public struct MatchLimits: Sendable, Hashable {
    /// `pcre2_set_match_limit`: the number of internal match steps.
    public var matchLimit: UInt32
    /// `pcre2_set_depth_limit`: backtracking depth (interpreter only).
    public var depthLimit: UInt32
    /// `pcre2_set_heap_limit` in KiB.
    public var heapLimitKiB: UInt32

    public init(matchLimit: UInt32 = 1_000_000, depthLimit: UInt32 = 10_000, heapLimitKiB: UInt32 = 20_000) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.heapLimitKiB = heapLimitKiB
    }

    public static let standard = MatchLimits()
}

/// A compiled PCRE2 pattern (UTF mode), JIT-compiled where the platform allows it.
///
/// Compiled code is immutable once built and PCRE2 documents it as safe to use from many threads
/// at once; per-thread state lives in ``MatchScratch``. The code handle is freed in `deinit` only.
public final class CompiledPattern: @unchecked Sendable {
    let code: OpaquePointer
    /// The source of the pattern, as given.
    public let pattern: String
    public let options: PatternOptions
    /// True when the JIT compiled this pattern; matching falls back to the interpreter otherwise.
    public let isJITCompiled: Bool
    /// Number of capture groups in the pattern.
    public let captureCount: Int
    public let limits: MatchLimits

    /// Compiles `pattern`. Throws ``PCRE2Error`` with PCRE2's message and the offset in the pattern.
    public init(_ pattern: String, options: PatternOptions = [], limits: MatchLimits = .standard, jit: Bool = true) throws(PCRE2Error) {
        var flags: UInt32 = PCRE2_UTF | PCRE2_NO_UTF_CHECK
        if options.contains(.caseless) { flags |= PCRE2_CASELESS }
        if options.contains(.multiline) { flags |= PCRE2_MULTILINE }
        if options.contains(.dotAll) { flags |= PCRE2_DOTALL }
        if options.contains(.extended) { flags |= PCRE2_EXTENDED }
        if options.contains(.unicodeProperties) { flags |= PCRE2_UCP }
        if options.contains(.offsetLimit) { flags |= PCRE2_USE_OFFSET_LIMIT }
        // The pattern itself must be valid UTF-8: Swift strings are, so the check can stay off.
        flags &= ~PCRE2_NO_UTF_CHECK
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled: OpaquePointer? = pattern.withCString { cString in
            cString.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count) { ptr in
                pcre2_compile_8(ptr, pattern.utf8.count, flags, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw PCRE2Error(code: errorCode, offset: errorOffset)
        }
        self.code = compiled
        self.pattern = pattern
        self.options = options
        self.limits = limits
        var jitOK = false
        if jit {
            jitOK = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        }
        self.isJITCompiled = jitOK
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        self.captureCount = Int(count)
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// Whether the JIT is available in this build of PCRE2.
    public static var jitAvailable: Bool {
        var value: UInt32 = 0
        pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &value)
        return value == 1
    }
}
