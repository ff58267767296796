import Foundation
import Testing
@testable import RedlineExtract

@Suite("Hostile and broken containers are unscannable, never a crash or a hang")
struct BadInputTests {
    func codes(_ data: Data, limits: ExtractLimits = ExtractLimits()) -> [String] {
        run(data, name: "attachment", limits: limits).problems.map(\.code)
    }

    @Test("entry names that climb out (../) or are absolute")
    func unsafeNames() throws {
        for name in ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "C:/x.txt", "..\\x.txt"] {
            #expect(codes(try Fixtures.zip([(name, "x")])) == [ExtractCode.unsafeName], "\(name)")
        }
        #expect(codes(try Fixtures.zip([("a..b/c..txt", "fine")])).isEmpty)
    }

    @Test("duplicate entry names")
    func duplicates() throws {
        #expect(codes(try Fixtures.zip([("a.txt", "one"), ("a.txt", "two")])) == [ExtractCode.duplicateName])
    }

    @Test("an encrypted entry (general purpose bit 0)")
    func encrypted() throws {
        var data = try Fixtures.zip([("a.txt", "secret")])
        let signature: [UInt8] = [0x50, 0x4B, 1, 2]
        let bytes = [UInt8](data)
        let at = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == signature })
        data[at + 8] |= 1
        #expect(codes(data) == [ExtractCode.encrypted])
    }

    @Test("truncated and corrupt archives, gzip files, PDFs and XML")
    func corrupt() throws {
        let zip = try Fixtures.zip([("a.txt", Data(String(repeating: "text ", count: 2000).utf8))])
        #expect(codes(zip.prefix(zip.count / 2)) == [ExtractCode.corrupt])
        #expect(codes(Data("PK\u{3}\u{4}garbage garbage garbage".utf8)) == [ExtractCode.corrupt])
        var flipped = zip
        flipped[60] ^= 0xFF   // inside the deflated data
        #expect(!codes(flipped).isEmpty)
        let gzip = try Fixtures.gzip(Data((0..<5000).map { "line \($0 &* 7919)\n" }.joined().utf8))
        #expect(codes(gzip.prefix(gzip.count - 20)) == [ExtractCode.corrupt])
        #expect(codes(Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0xFF, count: 40))) == [ExtractCode.corrupt])
        #expect(codes(Data("%PDF-1.4\n1 0 obj garbage".utf8)) == [ExtractCode.corrupt])
        let broken = try Fixtures.zip([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document><w:body><w:p>")])
        #expect(codes(broken) == [ExtractCode.corrupt])
    }

    @Test("a tag or attribute name that is not UTF-8 is refused as corrupt, never handed to XMLParser (which traps on it)")
    func nonUTF8Names() throws {
        for xml in [Data("<worksheet><sheetData/></workshee".utf8) + Data([0xF4]) + Data(">".utf8),
                    Data("<w:document xmlns:w=\"w\"><w:body><w:p a".utf8) + Data([0xC3, 0x28]) + Data("=\"1\"/></w:body></w:document>".utf8)] {
            let part = xml.starts(with: Data("<worksheet".utf8)) ? "xl/worksheets/sheet1.xml" : "word/document.xml"
            var entries: [(String, Data)] = [("[Content_Types].xml", Data(Fixtures.contentTypes.utf8)), (part, xml)]
            if part.hasPrefix("xl/") {
                entries += [("xl/workbook.xml", Data("<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>".utf8)),
                            ("xl/_rels/workbook.xml.rels", Data("<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>".utf8))]
            }
            #expect(codes(try Fixtures.zip(entries)) == [ExtractCode.corrupt])
        }
        #expect(XMLTextReader.isUTF8(Data("plain ascii, é, 中文, 😀".utf8)))
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]] {
            #expect(!XMLTextReader.isUTF8(Data(Array("abcdefghij".utf8) + bad)))
        }
    }

    @Test("XML with a DOCTYPE or entities is refused, never expanded (billion laughs, external entities)")
    func entities() throws {
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\
            <w:document xmlns:w="w"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>
            """
        let external = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><w:document xmlns:w=\"w\"><w:p><w:t>&x;</w:t></w:p></w:document>"
        for xml in [laughs, external] {
            let data = try Fixtures.zip([("[Content_Types].xml", Fixtures.contentTypes), ("word/document.xml", xml)])
            #expect(codes(data) == [ExtractCode.xmlDeclarations])
        }
    }

    @Test("nesting deeper than three containers")
    func depth() throws {
        var data = try Fixtures.zip([("card.txt", "4111111111111111")])
        for level in 1...3 { data = try Fixtures.zip([("level\(level).zip", data)]) }
        #expect(codes(data) == [ExtractCode.tooDeep])
        var three = try Fixtures.zip([("card.txt", "4111111111111111")])
        for level in 1...2 { three = try Fixtures.zip([("level\(level).zip", three)]) }
        #expect(codes(three).isEmpty)
    }

    @Test("expansion ratio, entry count, byte budget and time limit")
    func bounds() throws {
        let zeros = Data(count: 8 * 1024 * 1024)
        #expect(codes(try Fixtures.zip([("zeros.txt", zeros)])) == [ExtractCode.ratio])
        #expect(codes(try Fixtures.gzip(zeros)) == [ExtractCode.ratio])
        var few = ExtractLimits()
        few.entries = 3
        #expect(codes(try Fixtures.zip((1...5).map { ("f\($0).txt", "x") }), limits: few) == [ExtractCode.tooManyEntries])
        var small = ExtractLimits()
        small.expandedBytes = 1000
        #expect(codes(try Fixtures.zip([("a.txt", Data(String(repeating: "abcdefghij", count: 500).utf8))]), limits: small) == [ExtractCode.tooLarge])
        var hurried = ExtractLimits()
        hurried.seconds = 0
        #expect(codes(try Fixtures.zip([("a.txt", "x")]), limits: hurried) == [ExtractCode.timeLimit])
    }

    @Test("a nested zip bomb (16 copies per level) is rejected quickly and writes nothing")
    func zipBomb() throws {
        var level = try Fixtures.zip([("zeros.bin", Data(count: 16 * 1024 * 1024))])
        for depth in 1...4 { level = try Fixtures.zip((0..<16).map { ("d\(depth)-\($0).zip", level) }) }
        let directory = FileManager.default.currentDirectoryPath
        let before = try FileManager.default.contentsOfDirectory(atPath: directory)
        let started = Date()
        let found = codes(level)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(!found.isEmpty)
        #expect(Set(found).isSubset(of: [ExtractCode.ratio, ExtractCode.tooDeep, ExtractCode.tooLarge]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == before)
    }

    @Test("legacy Office and unknown binaries are reported, not read")
    func unsupported() {
        #expect(codes(Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 100))) == [ExtractCode.unsupported])
        #expect(codes(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0])) == [ExtractCode.unsupported])
    }

    @Test("problems never quote names or content")
    func messagesCarryNoNames() throws {
        let data = try Fixtures.zip([("4111111111111111/../x.txt", "x")])
        let problem = try #require(run(data, name: "QQ123456C.zip").problems.first)
        #expect(!problem.message.contains("4111") && !problem.message.contains("QQ123456C"))
        #expect(problem.path == ["QQ123456C.zip"])
    }
}
