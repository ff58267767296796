import Testing
import RedlineCore
@testable import RedlineDetectors

/// Issue 14: e-mail addresses written to dodge filters, and local parts and domains in other
/// scripts (RFC 6531). Each finding covers exactly the written address; its value is the address
/// it spells.
@Suite("E-mail addresses written out and in other scripts")
struct EmailObfuscationTests {
    static func found(_ text: String) throws -> [String] {
        try Detect.run("email", text).map { Detect.slice(text, $0.range) }
    }

    /// (text, the written address, the address it spells)
    static let spelled: [(String, String, String)] = [
        ("write to jane dot doe at gmail dot com please", "jane dot doe at gmail dot com", "jane.doe@gmail.com"),
        ("my email is jane(at)gmail(dot)com.", "jane(at)gmail(dot)com", "jane@gmail.com"),
        ("jane [at] gmail [dot] com", "jane [at] gmail [dot] com", "jane@gmail.com"),
        ("try jane (at) gmail (dot) co (dot) uk, thanks", "jane (at) gmail (dot) co (dot) uk", "jane@gmail.co.uk"),
        ("reach me: jane @ gmail . com", "jane @ gmail . com", "jane@gmail.com"),
        ("EMAIL JANE AT GMAIL DOT COM NOW", "JANE AT GMAIL DOT COM", "jane@gmail.com"),
        ("j.doe{at}example{dot}org", "j.doe{at}example{dot}org", "j.doe@example.org"),
        ("jane.doe at outlook dot com", "jane.doe at outlook dot com", "jane.doe@outlook.com"),
        ("jane(at)gmail.com", "jane(at)gmail.com", "jane@gmail.com"),
        ("jane[AT]mail[DOT]example[DOT]co[DOT]uk", "jane[AT]mail[DOT]example[DOT]co[DOT]uk", "jane@mail.example.co.uk"),
        ("jane@gmail dot com", "jane@gmail dot com", "jane@gmail.com"),
        ("Sam_O at btinternet dot com", "Sam_O at btinternet dot com", "sam_o@btinternet.com"),
        ("email me at jane dot doe at gmail dot com today", "jane dot doe at gmail dot com", "jane.doe@gmail.com"),
        ("josé at correo dot es", "josé at correo dot es", "josé@correo.es"),
        ("(jane at gmail dot com)", "jane at gmail dot com", "jane@gmail.com"),
        ("\u{201C}jane at gmail dot com\u{201D}", "jane at gmail dot com", "jane@gmail.com"),
    ]

    @Test("each written-out form is found with exactly its written span and the address it spells", arguments: spelled)
    func spelledForms(_ example: (String, String, String)) throws {
        let (text, written, address) = example
        let hits = try Detect.run("email", text)
        #expect(hits.map { Detect.slice(text, $0.range) } == [written])
        #expect(hits.first?.range == Detect.range(of: written, in: text))
        #expect(hits.first?.value == address)
    }

    @Test("ordinary English with at and dot is not an address", arguments: [
        "meet me at the office dot com", "look at gmail", "I'll be at home. Com...", "arrive at 10 dot 30",
        "visit us at example.com", "buy it at argos.co.uk today", "I worked at the dot com boom", "email at example dot com",
        "look at amazon dot co dot uk", "Tweet us @ExampleShop", "follow us @ example.com", "we're at 10 Downing St. Com",
        "the cat sat at the mat dot", "polka dot dresses at asos dot bargains", "that is what I said at the time",
        "jane at gmail dot", "jane at gmail dot c", "jane at gmail dot comx", "jane (at) gmail", "(at) gmail (dot) com",
        "date: 12 at 3 dot 45", "see you at noon dot dot dot",
    ])
    func ordinaryEnglish(_ text: String) throws {
        #expect(try Self.found(text).isEmpty, "\(text)")
    }

    @Test("a plain address is found once, not again as a written-out one")
    func plainAddressOnce() throws {
        #expect(try Self.found("jane.doe@gmail.com and sam at example dot org") == ["jane.doe@gmail.com", "sam at example dot org"])
        #expect(try Self.found("jane @ gmail . com or jane@gmail.com") == ["jane @ gmail . com", "jane@gmail.com"])
    }

    @Test("written with a bracketed at, the finding has medium confidence; with a plain word, low")
    func confidenceByForm() throws {
        #expect(try Detect.run("email", "jane(at)gmail(dot)com").map(\.confidence) == [.medium])
        #expect(try Detect.run("email", "jane at gmail dot com").map(\.confidence) == [.low])
    }

    /// (text, the address as written)
    static let unicode: [(String, String)] = [
        ("write to josé.garcía@example.com today", "josé.garcía@example.com"),
        ("иван@пример.рф", "иван@пример.рф"),
        ("почта: иван.петров@mail.ru.", "иван.петров@mail.ru"),
        ("Γράψτε στο γιώργος@example.gr", "γιώργος@example.gr"),
        ("联系 王伟@example.cn 谢谢", "王伟@example.cn"),
        ("\u{201C}zoë@example.org\u{201D}", "zoë@example.org"),
        ("\u{00AB}jürgen@beispiel.de\u{00BB}", "jürgen@beispiel.de"),
        ("mail — siân@example.co.uk — now", "siân@example.co.uk"),
        ("müller@münchen.de", "müller@münchen.de"),
    ]

    @Test("local parts and domains in other scripts are found with exact spans, not starting or ending mid-word", arguments: unicode)
    func unicodeAddresses(_ example: (String, String)) throws {
        let (text, written) = example
        let hits = try Detect.run("email", text)
        #expect(hits.map { Detect.slice(text, $0.range) } == [written])
    }

    @Test("a symbol or punctuation before a non-ASCII local part is not part of it")
    func unicodeBoundaries() throws {
        #expect(try Self.found("→josé@example.com") == ["josé@example.com"])
        #expect(try Self.found("€josé@example.com") == ["josé@example.com"])
        #expect(try Self.found("josé@example.com…") == ["josé@example.com"])
    }
}

@Suite("Written-out e-mail prefilter")
struct SpelledEmailPrefilterTests {
    /// The marks a byte-at-a-time reading finds: every `@`, and every `t` ending a standalone `at`.
    static func reference(_ bytes: [UInt8]) -> [Int] {
        func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
        return bytes.indices.filter { index in
            if bytes[index] == 64 { return true }
            guard index >= 1, bytes[index] | 0x20 == 116, bytes[index - 1] | 0x20 == 97 else { return false }
            if index >= 2, isLetter(bytes[index - 2]) { return false }
            return !(index + 1 < bytes.count && isLetter(bytes[index + 1]))
        }
    }

    @Test("the sixteen-byte scan finds exactly the marks a byte-by-byte reading finds, at every length and offset", arguments: 0..<6)
    func scanMatchesReference(seed: Int) {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 3
        func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return state >> 33 }
        let alphabet = Array("aAtT@ (at)[AT]xé.\n".utf8)
        for length in 0..<80 {
            let bytes = (0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            var found: [Int] = []
            bytes.withUnsafeBufferPointer { buffer in SpelledEmailFinder.scanAtMarks(buffer) { found.append($0) } }
            #expect(found == Self.reference(bytes), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
        let long = (0..<5000).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
        var found: [Int] = []
        long.withUnsafeBufferPointer { buffer in SpelledEmailFinder.scanAtMarks(buffer) { found.append($0) } }
        #expect(found == Self.reference(long))
        #expect(!found.isEmpty)
    }
}
