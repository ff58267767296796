import Foundation
import Testing
import RedlineCore
@testable import RedlineMail

@Suite("mbox and Maildir")
struct MboxMaildirTests {
    static func messages(_ text: String) throws -> [String] {
        let directory = try Fixture.tempDirectory()
        let path = directory + "/box.mbox"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let handle = try #require(FileHandle(forReadingAtPath: path))
        var reader = MboxReader(fileHandle: handle)
        var out: [String] = []
        while let message = try reader.next() { out.append(Fixture.text(message)) }
        return out
    }

    @Test("mboxrd: separators need a plausible From line; >From lines lose one >")
    func mboxrd() throws {
        let box = """
            From alice@example.com Mon Jan  1 10:00:00 2024
            Subject: one

            >From the top
            >>From quoted twice
            From me to you, with love

            From bob@example.com Tue Jan  2 11:00:00 2024
            Subject: two

            body two
            """
        let messages = try Self.messages(box)
        #expect(messages == [
            "Subject: one\n\nFrom the top\n>From quoted twice\nFrom me to you, with love\n",
            "Subject: two\n\nbody two",
        ])
    }

    @Test("CRLF mbox files keep their line endings")
    func crlf() throws {
        let messages = try Self.messages("From a@b Mon Jan  1 10:00:00 2024\r\nSubject: x\r\n\r\nhi\r\n\r\nFrom c@d Mon Jan  1 10:00:01 2024\r\nSubject: y\r\n\r\nho\r\n")
        #expect(messages == ["Subject: x\r\n\r\nhi\r\n", "Subject: y\r\n\r\nho\r\n"])
    }

    @Test("Gmail exports: an unescaped asctime From line splits even without a blank line before it")
    func gmail() throws {
        let messages = try Self.messages("From 1780000000000000001@xxx Sat Jan 06 10:00:00 +0000 2024\nSubject: a\n\nbody\nFrom 1780000000000000002@xxx Sun Jan 07 10:00:00 +0000 2024\nSubject: b\n\nFrom here on, thanks\n")
        #expect(messages.count == 2)
        #expect(messages[1].hasSuffix("From here on, thanks\n"))
    }

    @Test("lines longer than the read buffer, and a last line with no line feed, are read whole")
    func longLines() throws {
        // 300 KB lines cross several 64 KiB reads; the second message ends without a line feed.
        let long = String(repeating: "x", count: 300_000)
        let box = "From a@b Mon Jan  1 10:00:00 2024\nSubject: long\n\n\(long)\n>From \(long)\n\n"
            + "From c@d Mon Jan  1 10:00:01 2024\nSubject: last\n\n\(long)end"
        let messages = try Self.messages(box)
        #expect(messages.count == 2)
        #expect(messages.first == "Subject: long\n\n\(long)\nFrom \(long)\n")
        #expect(messages.last == "Subject: last\n\n\(long)end")
    }

    @Test("an empty file has no messages")
    func empty() throws {
        #expect(try Self.messages("").isEmpty)
    }

    @Test("reading a large mbox holds one message at a time")
    func largeMbox() throws {
        var box = ""
        for index in 0..<2000 { box += "From x@y Mon Jan  1 10:00:00 2024\nSubject: \(index)\n\n\(String(repeating: "line of text\n", count: 40))\n" }
        let messages = try Self.messages(box)
        #expect(messages.count == 2000)
        #expect(messages.last?.hasPrefix("Subject: 1999\n") == true)
    }

    @Test("Maildir lists cur/ and new/ sorted, skipping tmp/ and hidden files")
    func maildir() throws {
        let root = try Fixture.tempDirectory()
        for sub in ["cur", "new", "tmp"] { try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true) }
        for name in ["cur/2.b:2,S", "cur/1.a:2,", "new/3.c", "tmp/4.d", "cur/.hidden"] {
            FileManager.default.createFile(atPath: "\(root)/\(name)", contents: Data("Subject: x\n\nhi\n".utf8))
        }
        let paths = try MaildirReader.messagePaths(in: root)
        #expect(paths == ["\(root)/cur/1.a:2,", "\(root)/cur/2.b:2,S", "\(root)/new/3.c"])
        #expect(throws: Diagnostic.self) { try MaildirReader.messagePaths(in: root + "/cur") }
    }

    @Test("an ASCII 'From ' line is judged a separator exactly as when it is read as text")
    func asciiSeparatorsReadAsBefore() {
        var lines = [
            "From sender@example.com Sat Dec  5 00:00:00 2026\n", "From a Mon Jan 1 10:00 2024\r\n", "From a 10:00\n",
            "From a 2024\n", "From a,b 2024\n", "From me\n", "From  \t \n", "From x Sun Feb 30 1:2:3 1999",
            "From x Tue\tMar 12:00 2020\n", "From x Tue Mar 12::00 2020\n", "From x :12: 20202\n", "From x 123:4 99\n",
            "From the desk of Mon Jan\n", "From x Wed Apr 1 12:00:00 99\n", "From x\rFri Jun 7 08:15 2001\n",
        ]
        // And a few thousand generated ones from the characters that matter.
        var generator = SystemRandomNumberGenerator()
        let pieces = ["Mon", "Jan", "Dec", "Sun", " ", "  ", "\t", ":", "12", "1", "123", "2026", "20261", ",", "a", "\r", "x:y"]
        for _ in 0..<4000 {
            lines.append("From " + (0..<Int.random(in: 0...9, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() + "\n")
        }
        for line in lines {
            let bytes = Array(line.utf8)[...]
            for afterBlank in [false, true] {
                #expect(MboxReader.isSeparator(bytes, afterBlank: afterBlank) == MboxReader.isSeparatorText(bytes, afterBlank: afterBlank),
                        "\(line.debugDescription) after a blank line: \(afterBlank)")
            }
        }
    }
}
