import Foundation
import Testing
@testable import RedlineExactData

@Suite("EDM index build and scan")
struct IndexTests {
    @Test("a customer's values found together are one match, each value its own span")
    func roundTrip() throws {
        let fixture = Fixture()
        let report = try fixture.build()
        #expect(report.rows == 3)
        #expect(report.cells == 18)
        let found = try fixture.matcher().find("Hi, your account 100234 (Jane O'Neil, LS1 1AA) is now open.")
        #expect(found.count == 1)
        #expect(found.first?.row == 0)
        #expect(found.first?.values == ["customer_id": "100234", "full_name": "Jane O'Neil", "postcode": "LS1 1AA"])
    }

    @Test("names over a line break, in capitals, with a title and double spaces still match")
    func nameVariants() throws {
        let fixture = Fixture()
        try fixture.build()
        let matcher = try fixture.matcher()
        for text in ["Mrs Jane  O'Neil\nphone 07700900123", "JANE ONEIL +44 7700 900123", "call 0044 (0)7700-900-123 for Jane\nO'Neil."] {
            let found = matcher.find(text)
            #expect(found.count == 1, "\(text)")
            #expect(found.first?.values["full_name"].map { $0.contains("Jane") || $0.contains("JANE") } == true, "\(text)")
            #expect(found.first?.values["phone"] != nil, "\(text)")
        }
    }

    @Test("a record split across lines: e-mail, date of birth and postcode on separate lines")
    func splitAcrossLines() throws {
        let fixture = Fixture()
        try fixture.build()
        let text = "Customer details:\nEmail: Amara.O@Example.NET\nDOB: 3rd Jan 1979\nPostcode: m1\n1ae\n"
        let found = try fixture.matcher(min: 2).find(text)
        #expect(found.count == 1)
        #expect(found.first?.values["email"] == "Amara.O@Example.NET")
        #expect(found.first?.values["date_of_birth"] == "3rd Jan 1979")
        #expect(found.first?.values["postcode"] == "m1\n1ae")
    }

    @Test("values of different customers near each other do not match")
    func differentCustomers() throws {
        let fixture = Fixture()
        try fixture.build()
        let matcher = try fixture.matcher()
        #expect(matcher.find("account 100234 belongs to Amara Okafor, postcode SW1A 2AA, born 1990-07-01").isEmpty)
        #expect(matcher.find("Jane O'Neil lives at LS1 1AA").isEmpty, "no primary value")
    }

    @Test("min_corroborating 0 flags a primary value alone; a higher minimum needs more columns")
    func minimum() throws {
        let fixture = Fixture()
        try fixture.build()
        #expect(try fixture.matcher(min: 0).find("write to r.quill@example.org").count == 1)
        #expect(try fixture.matcher(min: 1).find("write to r.quill@example.org").isEmpty)
        let two = try fixture.matcher(min: 2)
        #expect(two.find("r.quill@example.org, Rupert Quill-Smith").isEmpty)
        #expect(two.find("r.quill@example.org, Rupert Quill-Smith, SW1A2AA").count == 1)
    }

    @Test("a corroborating value outside the window does not count")
    func window() throws {
        let fixture = Fixture()
        try fixture.build()
        let far = "100234" + String(repeating: " filler", count: 20) + " Jane O'Neil"
        #expect(try fixture.matcher(window: 50).find(far).isEmpty)
        #expect(try fixture.matcher(window: 300).find(far).count == 1)
    }

    @Test("the index holds no cell value in any normalisation")
    func noRawValues() throws {
        let fixture = Fixture()
        try fixture.build()
        let index = try Data(contentsOf: URL(fileURLWithPath: fixture.indexPath))
        var needles: [String] = []
        let lines = Fixture.csv.split(separator: "\n").dropFirst()
        for line in lines {
            for cell in line.split(separator: ",") where cell.count >= 3 {
                needles.append(String(cell))
                for type in ColumnType.allCases {
                    if let normal = Normaliser.normalise(String(cell), as: type) { needles.append(String(decoding: normal, as: UTF8.self)) }
                }
            }
        }
        #expect(needles.count > 30)
        for needle in Set(needles) {
            for form in Set([needle, needle.lowercased(), needle.uppercased()]) {
                #expect(index.range(of: Data(form.utf8)) == nil, "found '\(form)' in the index")
                // UTF-16 too, in case a string was stored that way.
                #expect(index.range(of: form.data(using: .utf16LittleEndian)!) == nil, "found UTF-16 '\(form)' in the index")
            }
        }
    }

    @Test("findings carry the row fingerprint; it does not change when the index is rebuilt")
    func rowFingerprint() throws {
        let fixture = Fixture()
        try fixture.build()
        let first = try fixture.matcher().index.rowFingerprint(1)
        try fixture.build()
        #expect(try fixture.matcher().index.rowFingerprint(1) == first)
        #expect(try fixture.matcher().index.rowFingerprint(0) != first)
    }
}
