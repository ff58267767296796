import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract
import Testing
@testable import RedlineMail

/// Issue 13.3: text, CSV and JSON Lines inside ZIP and gzip attachments are redacted and re-packed
/// so the message can go, instead of being blocked or stripped; and the names a note or a
/// diagnostic quotes (the attachment's, its members') are masked.
@Suite("Archive attachments redacted and re-packed")
struct ArchiveAttachmentTests {
    /// Runs Python (stdlib) on `bytes` saved as `name`; returns what it prints.
    static func python(_ script: String, _ bytes: [UInt8], name: String) throws -> String {
        let directory = try Fixture.tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REDLINE_PYTHON"] ?? "/usr/bin/python3")
        process.arguments = ["-c", script, file]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        return text
    }

    static func gzip(_ text: String) throws -> [UInt8] {
        let data = Data(text.utf8)
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        var compressed = Data()
        let crc = try Data.compress(size: Int64(data.count), bufferSize: 16 * 1024, provider: { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }, consumer: { compressed.append($0) })
        out += compressed
        for value in [crc, UInt32(data.count)] { out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)] }
        return out
    }

    @Test("a CSV inside a ZIP attachment is redacted and re-packed: the message is sent on, X-Redline-Redacted names member and line")
    func zipAttachment() throws {
        let archive = try AttachmentTests.zip([("readme.txt", "Ticket export.\n"), ("2026/tickets.csv", "id,name,ni\n1,Ada,JG 10 37 55 A\n2,Grace,-\n")])
        let message = AttachmentTests.message(body: "Export attached.", attachment: archive, name: "export.zip")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .redact)
        #expect(verdict.redactedAttachments == ["part 2 \"export.zip\": nino in 2026/tickets.csv line 2"])
        #expect(verdict.strippedAttachments.isEmpty && verdict.diagnostics.isEmpty)
        let text = Fixture.text(output)
        #expect(text.contains("X-Redline-Redacted: part 2 \"export.zip\": nino in 2026/tickets.csv line 2\r\n"))
        #expect(Fixture.outline(output) == Fixture.outline(message))
        let (file, _) = try AttachmentRedactionTests.lastAttachment(output)
        let dump = try Self.python("""
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
            for name in z.namelist(): print("==", name); sys.stdout.write(z.read(name).decode())
            """, file, name: "export.zip")
        #expect(dump == "== readme.txt\nTicket export.\n== 2026/tickets.csv\nid,name,ni\n1,Ada,[NI NUMBER]\n2,Grace,-\n")
        // Sent on, nothing is left to redact.
        #expect(Fixture.check(output).findings.filter { $0.action >= .redact }.isEmpty)
    }

    @Test("a JSON Lines file in a gzip attachment is redacted and compressed again; Python's gzip reads it")
    func gzipAttachment() throws {
        let file = try Self.gzip("{\"id\":1,\"note\":\"NI JG 10 37 55 A\"}\n")
        let message = AttachmentTests.message(body: "Log attached.", attachment: file, name: "tickets.jsonl.gz")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .redact)
        #expect(verdict.redactedAttachments == ["part 2 \"tickets.jsonl.gz\": nino in tickets.jsonl line 1"])
        let (redacted, _) = try AttachmentRedactionTests.lastAttachment(output)
        let dump = try Self.python("import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode())", redacted, name: "t.gz")
        #expect(dump == "{\"id\":1,\"note\":\"NI [NI NUMBER]\"}\n")
    }

    @Test("X-Redline-Redacted and every diagnostic mask an attachment file name (and a member name) holding an NI number")
    func namesMasked() throws {
        let forms = ["JG 10 37 55 A", "JG103755A", "AB 12 34 56 C", "AB123456C"]
        let archive = try AttachmentTests.zip([("AB123456C/tickets.csv", "id,ni\n1,JG 10 37 55 A\n")])
        let message = AttachmentTests.message(body: "Export attached.", attachment: archive, name: "export JG103755A.zip")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.verdict == .redact)
        let note = try #require(verdict.redactedAttachments.first)
        #expect(note.hasPrefix("part 2 \"export ") && note.hasSuffix("/tickets.csv line 2"))
        let header = Fixture.text(output).split(separator: "\r\n").filter { $0.hasPrefix("X-Redline") || $0.hasPrefix(" ") }.joined(separator: "\n")
        #expect(header.contains("X-Redline-Redacted: part 2 \"export "))
        let shown = [note, header] + verdict.diagnostics.map(\.description) + verdict.findings.compactMap(\.part) + verdict.findings.map(\.excerpt)
        for text in shown {
            for form in forms { #expect(!text.contains(form), "'\(text)' quotes '\(form)'") }
        }
        // When the file cannot be rewritten (UTF-16 text), the X012 and M020 diagnostics quote no name either.
        var utf16 = Data([0xFF, 0xFE])
        utf16.append("id,ni\n1,JG 10 37 55 A\n".data(using: .utf16LittleEndian)!)
        let stuck = try ZIPFixture.zip([("AB123456C/tickets.csv", utf16)])
        let blocked = Fixture.redact(AttachmentTests.message(body: "Export attached.", attachment: stuck, name: "export JG103755A.zip")).verdict
        #expect(blocked.verdict == .block)
        #expect(blocked.diagnostics.map(\.code) == [ExtractCode.notRewritable, MailCode.attachmentNeedsRedaction])
        let quoted = blocked.diagnostics.map(\.description) + blocked.unscannedAttachments + blocked.findings.compactMap(\.part)
            + [blocked.reason ?? ""]
        for text in quoted {
            for form in forms { #expect(!text.contains(form), "'\(text)' quotes '\(form)'") }
        }
    }

    @Test("a ZIP with a member that cannot be read (encrypted) is re-packed around it: the member copied as it is, still flagged unscannable")
    func unreadableMemberCopied() throws {
        var encrypted = try AttachmentTests.zip([("a.txt", "secret")])
        let at = try #require((0..<(encrypted.count - 4)).first { Array(encrypted[$0..<($0 + 4)]) == [0x50, 0x4B, 1, 2] })
        encrypted[at + 8] |= 1
        let archive = try ZIPFixture.zip([("locked.zip", Data(encrypted)), ("ni.txt", Data("JG 10 37 55 A\n".utf8))])
        let message = AttachmentTests.message(body: "Attached.", attachment: archive, name: "docs.zip")
        let (output, verdict) = Fixture.redact(message)
        #expect(verdict.redactedAttachments == ["part 2 \"docs.zip\": nino in ni.txt line 1"])
        #expect(verdict.diagnostics.map(\.code) == [ExtractCode.encrypted])
        #expect(verdict.unscannedAttachments.count == 1)
        let (file, _) = try AttachmentRedactionTests.lastAttachment(output)
        let dump = try Self.python("""
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            print(z.read("ni.txt").decode().strip(), len(z.read("locked.zip")))
            """, file, name: "docs.zip")
        #expect(dump == "[NI NUMBER] \(encrypted.count)\n")
    }
}
