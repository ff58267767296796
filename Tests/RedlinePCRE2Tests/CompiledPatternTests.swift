import Testing
@testable import RedlinePCRE2

@Suite("CompiledPattern")
struct CompiledPatternTests {
    @Test("a compile error carries PCRE2's message and the offset inside the pattern")
    func compileErrorHasMessageAndOffset() {
        do {
            _ = try CompiledPattern("ab(cd")
            Issue.record("expected a compile error")
        } catch {
            #expect(error.offset == 5)
            #expect(error.message.contains("missing closing parenthesis"))
            #expect(error.code > 100, "compile errors have positive codes above 100")
            #expect(error.description.hasSuffix("at offset 5"))
        }
    }

    @Test("a compile error in the middle of a pattern points at the bad character")
    func compileErrorOffsetInMiddle() {
        do {
            _ = try CompiledPattern("[0-9]{2}x{3,2}y")
            Issue.record("expected a compile error")
        } catch {
            #expect(error.offset == 13)
            #expect(error.message.contains("out of order"))
        }
    }

    @Test("patterns are JIT-compiled when the library has a JIT")
    func jitFlag() throws {
        let pattern = try CompiledPattern("[0-9]+")
        #expect(pattern.isJITCompiled == CompiledPattern.jitAvailable)
        let interpreted = try CompiledPattern("[0-9]+", jit: false)
        #expect(!interpreted.isJITCompiled)
    }

    @Test("the non-JIT fallback finds the same matches and captures")
    func interpreterFallbackMatches() throws {
        for jit in [true, false] {
            let pattern = try CompiledPattern("([a-z]+)-([0-9]+)?", jit: jit)
            #expect(pattern.captureCount == 2)
            let scratch = MatchScratch(pattern)
            let outcome = scratch.firstMatch(in: Array("xx abc-12 yy".utf8))
            #expect(outcome == .match(groups: [3..<9, 3..<6, 7..<9]), "jit: \(jit)")
            let unset = scratch.firstMatch(in: Array("abc-".utf8))
            #expect(unset == .match(groups: [0..<4, 0..<3, nil]), "an unset group is nil (jit: \(jit))")
            #expect(scratch.firstMatch(in: Array("123".utf8)) == .noMatch)
        }
    }

    @Test("options change matching: caseless, multiline, dotall, extended")
    func options() throws {
        let caseless = MatchScratch(try CompiledPattern("abc", options: .caseless))
        #expect(caseless.firstMatch(in: Array("xABC".utf8)) == .match(groups: [1..<4]))
        let multiline = MatchScratch(try CompiledPattern("^b", options: .multiline))
        #expect(multiline.firstMatch(in: Array("a\nb".utf8)) == .match(groups: [2..<3]))
        let plain = MatchScratch(try CompiledPattern("^b"))
        #expect(plain.firstMatch(in: Array("a\nb".utf8)) == .noMatch)
        let dotAll = MatchScratch(try CompiledPattern("a.b", options: .dotAll))
        #expect(dotAll.firstMatch(in: Array("a\nb".utf8)) == .match(groups: [0..<3]))
        let extended = MatchScratch(try CompiledPattern("a b # comment", options: .extended))
        #expect(extended.firstMatch(in: Array("ab".utf8)) == .match(groups: [0..<2]))
    }

    @Test("UTF mode: a dot matches one whole scalar and offsets are in bytes")
    func utfMode() throws {
        let scratch = MatchScratch(try CompiledPattern("é."))
        #expect(scratch.firstMatch(in: Array("aéü!".utf8)) == .match(groups: [1..<5]))
    }

    @Test("a catastrophic pattern stops at the match limit with a limit error, for JIT and interpreter")
    func matchLimitError() throws {
        let subject = Array(String(repeating: "a", count: 40_000).utf8) + [UInt8(ascii: "!")]
        for jit in [true, false] {
            let pattern = try CompiledPattern("(a+)+$", limits: MatchLimits(matchLimit: 100_000), jit: jit)
            let scratch = MatchScratch(pattern)
            guard case let .failed(error) = scratch.firstMatch(in: subject) else {
                Issue.record("expected a limit failure (jit: \(jit))")
                continue
            }
            #expect(error.isLimit, "\(error)")
            #expect(error.offset == nil)
            let range = subject.withUnsafeBufferPointer { scratch.nextRange(in: $0, from: 0) }
            if case let .failure(error) = range { #expect(error.isLimit) } else { Issue.record("nextRange should fail too") }
        }
    }

    @Test("nextRange walks successive matches and group() reads captures of the last one")
    func nextRangeAndGroups() throws {
        let scratch = MatchScratch(try CompiledPattern("([0-9])[0-9]"))
        let text = Array("a12 b34".utf8)
        var ranges: [Range<Int>] = []
        var groups: [Range<Int>?] = []
        text.withUnsafeBufferPointer { buffer in
            var from = 0
            while case let .success(range?) = scratch.nextRange(in: buffer, from: from) {
                ranges.append(range)
                groups.append(scratch.group(1))
                from = range.upperBound
            }
        }
        #expect(ranges == [1..<3, 5..<7])
        #expect(groups == [1..<2, 5..<6])
        #expect(scratch.group(5) == nil)
    }

    @Test("an empty subject can still match an empty pattern")
    func emptySubject() throws {
        let scratch = MatchScratch(try CompiledPattern("x*"))
        #expect(scratch.firstMatch(in: []) == .match(groups: [0..<0]))
    }

    @Test("a compiled pattern is shared by many tasks, each with its own scratch")
    func sharedAcrossTasks() async throws {
        let pattern = try CompiledPattern("[0-9]{4}")
        let text = Array(String(repeating: "ab 1234 cd ", count: 200).utf8)
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let scratch = MatchScratch(pattern)
                    var count = 0
                    text.withUnsafeBufferPointer { buffer in
                        var from = 0
                        while case let .success(range?) = scratch.nextRange(in: buffer, from: from) {
                            count += 1
                            from = range.upperBound
                        }
                    }
                    return count
                }
            }
            var all: [Int] = []
            for await count in group { all.append(count) }
            return all
        }
        #expect(counts == Array(repeating: 200, count: 16))
    }

    @Test("PCRE2Error names limit errors and renders a message for any code")
    func errorValues() {
        let limit = PCRE2Error(code: -47, offset: nil)   // PCRE2_ERROR_MATCHLIMIT
        #expect(limit.isLimit)
        #expect(limit.message.contains("limit"))
        let noMatch = PCRE2Error(code: -1, offset: nil)
        #expect(!noMatch.isLimit)
    }
}
