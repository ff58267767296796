import Testing
@testable import RedlineMail

@Suite("Transfer encodings and charsets")
struct EncodingTests {
    @Test("quoted-printable decodes escapes and removes soft line breaks (LF and CRLF)")
    func quotedPrintableDecode() {
        var problems = DecodeProblems()
        let lf = QuotedPrintable.decode(Array("JG 10 37 =\n55 A caf=C3=A9".utf8)[...], problems: &problems)
        #expect(String(decoding: lf, as: UTF8.self) == "JG 10 37 55 A café")
        let crlf = QuotedPrintable.decode(Array("a=\r\nb=3D\r\n".utf8)[...], problems: &problems)
        #expect(String(decoding: crlf, as: UTF8.self) == "ab=\r\n")
        #expect(problems.isEmpty)
    }

    @Test("invalid quoted-printable escapes are kept literally and counted")
    func quotedPrintableInvalid() {
        var problems = DecodeProblems()
        let out = QuotedPrintable.decode(Array("100=ZZ off =4".utf8)[...], problems: &problems)
        #expect(String(decoding: out, as: UTF8.self) == "100=ZZ off =4")
        #expect(problems.invalidEscapes == 2)
    }

    @Test("quoted-printable encoding round-trips and keeps lines within 76 characters")
    func quotedPrintableRoundTrip() {
        let text = Array((String(repeating: "Grüße aus Köln = ", count: 20) + "\r\nFrom here\r\n.\r\ntrailing space \r\n").utf8)
        let encoded = QuotedPrintable.encode(text, lineEnding: [13, 10])
        let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.contains("=46rom here"))
        #expect(lines.contains("=2E"))
        var problems = DecodeProblems()
        #expect(QuotedPrintable.decode(encoded[...], problems: &problems) == text)
        #expect(problems.isEmpty)
    }

    @Test("base64 round-trips at the original line length")
    func base64RoundTrip() {
        let data = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let encoded = Base64.encode(data, lineLength: 72, lineEnding: [10])
        #expect(String(decoding: encoded, as: UTF8.self).split(separator: "\n").allSatisfy { $0.count <= 72 })
        var problems = DecodeProblems()
        #expect(Base64.decode(encoded[...], problems: &problems) == data)
        #expect(problems.isEmpty)
    }

    @Test("truncated base64 is decoded as far as it goes and reported")
    func base64Truncated() {
        var problems = DecodeProblems()
        let out = Base64.decode(Array("Q2FyZDogNDExMSAxMTExIDExMTEgMTEx".utf8).dropLast(1), problems: &problems)
        #expect(String(decoding: out, as: UTF8.self).hasPrefix("Card: 4111 1111 1111"))
        #expect(problems.truncated)
    }

    @Test("iso-8859-15 uses its own table where it differs from Latin-1")
    func latin9() {
        let bytes: [UInt8] = [0xA4, 0xA6, 0xBD, 0xE9]
        #expect(String(decoding: Charset.named("ISO-8859-15")!.decode(bytes), as: UTF8.self) == "€Šœé")
        #expect(String(decoding: Charset.named("iso-8859-1")!.decode(bytes), as: UTF8.self) == "¤¦½é")
        #expect(Charset.latin9.encode(Charset.latin9.decode(bytes)) == bytes)
    }

    @Test("windows-1252 maps smart quotes and the euro sign and round-trips every byte")
    func windows1252() {
        let bytes: [UInt8] = [0x93, 0x80, 0x94, 0x81, 0xA3]
        #expect(String(decoding: Charset.windows1252.decode(bytes), as: UTF8.self) == "\u{201C}€\u{201D}\u{81}£")
        let all = (0...255).map { UInt8($0) }
        #expect(Charset.windows1252.encode(Charset.windows1252.decode(all)) == all)
    }

    @Test("charsets Foundation knows are used, unknown ones return nil")
    func foundationCharsets() {
        #expect(Charset.named("windows-1250") != nil)
        #expect(Charset.named("x-made-up-charset") == nil)
        #expect(Charset.named("UTF-8") == .utf8)
        #expect(Charset.named("us-ascii") == .utf8)
    }

    @Test("RFC 2047 words decode in B and Q forms, and white space between words is dropped")
    func encodedWordsDecode() {
        let decoded = EncodedWords.decode(Array("Re: =?utf-8?B?RGVsaXZlcnkgdG8g?= =?iso-8859-1?Q?LS6_2AB_=A3?= today".utf8))
        #expect(String(decoding: decoded.text, as: UTF8.self) == "Re: Delivery to LS6 2AB £ today")
        #expect(decoded.firstWord?.charset == .utf8)
    }

    @Test("RFC 2047 encoding splits into short words that decode back")
    func encodedWordsEncode() {
        let text = Array(String(repeating: "Grüße [POSTCODE] ", count: 6).utf8)
        for encoding in [UInt8(ascii: "B"), UInt8(ascii: "Q")] {
            let encoded = EncodedWords.encode(text, charset: .latin1, encoding: encoding, lineEnding: [13, 10])
            let lines = String(decoding: encoded, as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines.allSatisfy { $0.utf8.count <= 76 })
            let unfolded = encoded.filter { $0 != 13 && $0 != 10 }
            #expect(EncodedWords.decode(unfolded).text == text)
        }
        #expect(EncodedWords.encode(Array("plain [CARD]".utf8), lineEnding: [10]) == Array("plain [CARD]".utf8))
    }

    @Test("address lists: display names, quoted strings, comments and groups")
    func addressList() {
        let raw = Array(#""Doe, Jane" <jane@gmail.com>, Team: bob@example.co.uk, =?utf-8?Q?Zo=C3=AB?= <zoe@x.org>;, carl@y.com (Carl Smith)"#.utf8)
        let list = AddressList.parse(raw)
        #expect(list.map(\.address) == ["jane@gmail.com", "bob@example.co.uk", "zoe@x.org", "carl@y.com"])
        let names = list.map { $0.displayRange.map { String(decoding: AddressList.displayText(raw[$0]).text, as: UTF8.self) } }
        #expect(names == ["Doe, Jane", nil, "Zoë", "Carl Smith"])
        #expect(list[1].domain == "example.co.uk")
    }

    @Test("HTML text: tags dropped, entities decoded, style sheets and comments read, offsets map back to the source")
    func htmlText() {
        let html = Array("<p>Card 4111<span>1111</span>1111&nbsp;1111 &#52;&#x32;</p><style>.a{}</style><!-- 4111 -->".utf8)
        let text = HTMLText(html: html)
        // The style sheet and the comment are read too, each between line breaks.
        #expect(String(decoding: text.text, as: UTF8.self) == "\nCard 411111111111\u{A0}1111 42\n.a{}\n 4111 \n")
        let start = 6 // "\nCard " is six bytes
        let pieces = text.sourceTextRanges(start..<(start + 12))
        #expect(pieces.map { String(decoding: html[$0], as: UTF8.self) } == ["4111", "1111", "1111"])
    }
}
