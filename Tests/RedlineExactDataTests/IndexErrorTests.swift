import Foundation
import Testing
@testable import RedlineExactData

@Suite("EDM index errors")
struct IndexErrorTests {
    func code(_ body: () throws -> Void) -> EDMError.Code? {
        do { try body(); return nil } catch let error as EDMError { return error.code } catch { return nil }
    }

    @Test("a wrong key is an error at load, not zero findings")
    func wrongKey() throws {
        let fixture = Fixture()
        try fixture.build()
        let other = EDMKeys(key: Array("another key".utf8))
        #expect(code { _ = try ExactDataIndex(path: fixture.indexPath, keys: other) } == .wrongKey)
    }

    @Test("a truncated, extended or bit-flipped index is corrupt; a missing one unreadable")
    func corrupt() throws {
        let fixture = Fixture()
        try fixture.build()
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixture.indexPath)))
        #expect(code { _ = try ExactDataIndex(bytes: Array(bytes.dropLast(8)), keys: fixture.keys) } == .corrupt)
        #expect(code { _ = try ExactDataIndex(bytes: bytes + [0, 0, 0, 0, 0, 0, 0, 0], keys: fixture.keys) } == .corrupt)
        for position in stride(from: 64, to: bytes.count, by: 7) {
            var flipped = bytes
            flipped[position] ^= 0x10
            #expect(code { _ = try ExactDataIndex(bytes: flipped, keys: fixture.keys) } == .corrupt, "flip at \(position)")
        }
        #expect(code { _ = try ExactDataIndex(bytes: Array(bytes.prefix(40)), keys: fixture.keys) } == .notAnIndex)
        #expect(code { _ = try ExactDataIndex(path: fixture.directory + "/missing.edm", keys: fixture.keys) } == .unreadable)
        #expect(code { _ = try ExactDataIndex(bytes: Array("name,email\n".utf8) + [UInt8](repeating: 0, count: 80), keys: fixture.keys) } == .notAnIndex)
    }

    @Test("an index from a newer format version is refused with a clear message")
    func newerVersion() throws {
        let fixture = Fixture()
        try fixture.build()
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixture.indexPath)))
        bytes[8] = UInt8(IndexFormat.version + 1)
        do {
            _ = try ExactDataIndex(bytes: bytes, keys: fixture.keys)
            Issue.record("loaded a version \(IndexFormat.version + 1) index")
        } catch {
            #expect(error.code == .newerVersion)
            #expect(error.message.contains("version \(IndexFormat.version + 1)"))
        }
    }

    @Test("bad CSV input is an error at its line, no index is written and no value is quoted", arguments: [
        ("customer_id,full_name,email,phone,postcode,date_of_birth\n1,Jane,,,,\n2,\u{FF}bad,,,,\n", EDMError.Code.notUTF8, 3),
        ("", .noHeader, 1),
        ("\n\n", .noHeader, 1),
        ("customer_id,full_name,email,phone,postcode,email\n1,a,b,c,d,e\n", .duplicateHeader, 1),
        ("customer_id,name,email,phone,postcode,date_of_birth\n1,Jane,j@x.com,0,LS1 1AA,\n", .unknownColumn, 1),
    ] as [(String, EDMError.Code, Int)])
    func badInput(_ csv: String, _ expected: EDMError.Code, _ line: Int) throws {
        let fixture = Fixture()
        var bytes = Array(csv.utf8)
        if let marker = bytes.firstIndex(of: 0xC3), csv.contains("\u{FF}bad") { bytes[marker] = 0xFF; bytes.remove(at: marker + 1) }
        do {
            _ = try fixture.buildBytes(bytes)
            Issue.record("built an index from bad input")
        } catch {
            #expect(error.code == expected)
            #expect(error.line == line)
            #expect(error.description.hasPrefix("customers.csv:\(line): error: "))
            #expect(!error.description.contains("Jane") && !error.description.contains("bad"))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.indexPath))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: fixture.directory))?.isEmpty == true, "no temporary file left")
    }

    @Test("rows with the wrong number of fields are reported by line; --strict makes them fatal")
    func fieldCounts() throws {
        let fixture = Fixture()
        let csv = Fixture.csv + "\n100237,Only Two\n100238,Bo Peep,bo@example.com,07700900999,LS2 2BB,01/01/2000,x\n"
        let report = try fixture.build(csv)
        #expect(report.rows == 4)
        #expect(report.badRows == 1)
        #expect(report.badRowLines == [6])
        do {
            try fixture.build(csv, strict: true, output: fixture.directory + "/strict.edm")
            Issue.record("strict build accepted a short row")
        } catch let error as EDMError {
            #expect(error.code == .fieldCount)
            #expect(error.line == 6)
            #expect(!error.message.contains("Only"))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/strict.edm"))
    }

    @Test("a BOM, CRLF line ends and quoted fields with commas, quotes and line breaks are read")
    func csvShapes() throws {
        let fixture = Fixture()
        let csv = "\u{FEFF}customer_id,full_name,email,phone,postcode,date_of_birth,notes\r\n" +
            "\"100240\",\"Smith, \"\"Jo\"\"\nAnne\",jo@example.com,,,,\r\n"
        let report = try fixture.build(csv)
        #expect(report.rows == 1)
        #expect(report.emptyCells == 3)
        let found = try fixture.matcher(primary: ["customer_id"], corroborate: ["full_name"]).find("ref 100240 for Smith Jo Anne")
        #expect(found.count == 1)
        #expect(found.first?.values["full_name"] == "Smith Jo Anne")
    }

    @Test("unknown columns in the settings and --columns errors are reported")
    func settingsErrors() throws {
        let fixture = Fixture()
        try fixture.build()
        #expect(code { _ = try fixture.matcher(primary: ["account"]) } == .unknownColumn)
        #expect(code { _ = try fixture.matcher(primary: ["email"], corroborate: ["email"]) } == .badColumns)
        #expect(code { _ = try ColumnSpec.parseList("a:name,b") } == .badColumns)
        #expect(code { _ = try ColumnSpec.parseList("a:colour") } == .badColumns)
        #expect(code { _ = try ColumnSpec.parseList("a:name,a:text") } == .badColumns)
    }
}
