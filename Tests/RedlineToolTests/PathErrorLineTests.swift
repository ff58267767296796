import Foundation
import Testing

/// Issue 15: `redline: PATH: …` lines name a file masked when its name holds a value, in check,
/// redact and scan, including the path an error quotes (`cannot open PATH`).
@Suite("Error lines name files masked")
struct PathErrorLineTests {
    static let card = "4111111111111111"

    @Test("a missing or malformed file named after a card: check, redact and scan print the name masked")
    func errorLines() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/order-\(Self.card).txt"
        let malformed = try Redline.write("{\"text\": \"unterminated\n", to: directory, name: "export-\(Self.card).jsonl")
        let message = try Redline.write("From: a@example.com\nTo: b@example.org\nSubject: x\nContent-Type: text/plain; charset=x-unknown-9\n\nhello\n",
                                        to: directory, name: "mail-\(Self.card).eml")
        for arguments in [["check", missing], ["redact", missing], ["check", malformed], ["redact", malformed],
                          ["redact", "--input", "eml", message], ["scan", directory]] {
            let result = try Redline.run(arguments)
            #expect(result.status == 2 || result.status == 0 || result.status == 1, "\(arguments)")
            #expect(!result.stderr.isEmpty, "\(arguments[0]) wrote no diagnostic")
            #expect(!result.stderr.contains(Self.card), "\(arguments[0]) leaks the name: \(result.stderr)")
            #expect(!result.out.contains(Self.card), "\(arguments[0]) leaks the name on stdout")
            // redact's malformed-record line names the record, not the file.
            if arguments != ["redact", malformed] { #expect(result.stderr.contains("************1111"), "\(arguments[0]): \(result.stderr)") }
        }
        let check = try Redline.run(["check", missing])
        #expect(check.stderr.contains("redline: \(directory)/order-************1111.txt: cannot open \(directory)/order-************1111.txt"))
    }
}
