import Foundation
import Testing
import ZIPFoundation
@testable import RedlineExtract

/// Issue 13.3: text, CSV and JSON Lines inside ZIP and gzip files are redacted and re-packed
/// (``DocumentRewriter``): only the changed entries are written again, every other entry is
/// copied byte for byte with its metadata, and Python's zipfile and gzip open the result.
@Suite("Archives redacted and re-packed")
struct ArchiveRewriteTests {
    static let value = "JG 10 37 55 A"

    /// Every document of `data` as the extractor reads it, by path (joined with " › ").
    static func documents(_ data: Data, name: String) -> (texts: [String: String], problems: [ExtractProblem]) {
        var texts: [String: String] = [:]
        let problems = Extractor().extract(data, name: name) { document in
            texts[document.path.joined(separator: " › "), default: ""] += String(decoding: document.text, as: UTF8.self)
        }
        return (texts, problems)
    }

    /// A target replacing every occurrence of `value` in the document at `path` by `[NI NUMBER]`.
    static func target(_ data: Data, name: String, path: [String], value: String = value) throws -> DocumentRewriter.Target {
        var text: [UInt8]?
        _ = Extractor().extract(data, name: name) { document in
            if document.path == path { text = (text ?? []) + document.text }
        }
        let bytes = try #require(text)
        let needle = Array(value.utf8)
        var replacements: [OfficeRewriter.Replacement] = []
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) {
                replacements.append(.init(range: index..<(index + needle.count), text: Array("[NI NUMBER]".utf8)))
                index += needle.count
            } else {
                index += 1
            }
        }
        #expect(!replacements.isEmpty)
        return DocumentRewriter.Target(path: path, text: bytes, replacements: replacements)
    }

    /// The bytes of each entry as stored (local header through data descriptor) and its central
    /// record with the offset field zeroed, by entry index.
    static func rawEntries(_ data: Data) throws -> [(local: [UInt8], central: [UInt8])] {
        let bytes = [UInt8](data)
        let (records, _) = try ZipSplicer.directory(bytes)
        return records.map { record in
            let offset = record.localOffset
            var end = offset + 30 + Int(ZipSplicer.le16(bytes, offset + 26)) + Int(ZipSplicer.le16(bytes, offset + 28)) + record.compressedSize
            if record.flags & 8 != 0 { end += ZipSplicer.le32(bytes, end) == 0x0807_4B50 ? 16 : 12 }
            var central = record.central
            ZipSplicer.put32(&central, 42, 0)
            return (Array(bytes[offset..<end]), central)
        }
    }

    /// Runs Python (stdlib only) on `data` saved as `name`; returns what it prints.
    static func python(_ script: String, _ data: Data, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redline-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try data.write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonOffice.interpreter ?? "/usr/bin/python3")
        process.arguments = ["-c", script, file.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        return text
    }

    static let zipDump = """
        import sys, zipfile
        z = zipfile.ZipFile(sys.argv[1])
        assert z.testzip() is None
        for info in z.infolist():
            print("==", info.filename, info.date_time, info.compress_type, repr(info.comment), info.external_attr)
            if not info.is_dir(): sys.stdout.write(z.read(info).decode("utf-8", "replace"))
        """

    /// A ZIP made by Python's zipfile: a CSV with NI numbers (deflated), a stored JSON Lines file,
    /// a clean text file with a comment, a directory, in that order.
    static func export() throws -> Data {
        let script = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1], "w")
            z.writestr(zipfile.ZipInfo("2026/", (2026, 1, 2, 3, 4, 6)), "")
            info = zipfile.ZipInfo("2026/tickets.csv", (2026, 1, 2, 3, 4, 8)); info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, "id,name,ni\\n1,Ada,JG 10 37 55 A\\n2,Grace,no NI given\\n")
            info = zipfile.ZipInfo("readme.txt", (2025, 12, 31, 23, 59, 58)); info.compress_type = zipfile.ZIP_DEFLATED; info.comment = b"kept"
            z.writestr(info, "Export of tickets. Nothing personal here.\\n" * 50)
            info = zipfile.ZipInfo("notes.jsonl", (2026, 1, 2, 3, 4, 10)); info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, '{"id":1,"note":"caller gave JG 10 37 55 A"}\\n')
            z.comment = b"archive comment"
            z.close()
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redline-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("export.zip")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonOffice.interpreter ?? "/usr/bin/python3")
        process.arguments = ["-c", script, file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try Data(contentsOf: file)
    }

    @Test("a CSV and a JSON Lines file inside a ZIP are redacted; every other entry is copied byte for byte; zipfile opens it")
    func zipMembers() throws {
        let original = try Self.export()
        let targets = [try Self.target(original, name: "export.zip", path: ["export.zip", "2026/tickets.csv"]),
                       try Self.target(original, name: "export.zip", path: ["export.zip", "notes.jsonl"])]
        let output = try DocumentRewriter.redact(original, name: "export.zip", targets: targets)
        let (texts, problems) = Self.documents(output, name: "export.zip")
        #expect(problems.isEmpty)
        #expect(texts["export.zip › 2026/tickets.csv"] == "id,name,ni\n1,Ada,[NI NUMBER]\n2,Grace,no NI given\n")
        #expect(texts["export.zip › notes.jsonl"] == "{\"id\":1,\"note\":\"caller gave [NI NUMBER]\"}\n")
        let before = try Self.rawEntries(original)
        let after = try Self.rawEntries(output)
        #expect(after.count == 4)
        // The directory and readme.txt: local header, data and central record unchanged.
        for index in [0, 2] {
            #expect(after[index].local == before[index].local)
            #expect(after[index].central == before[index].central)
        }
        // The rewritten entries keep their name, date, method and comment fields.
        for index in [1, 3] {
            #expect(after[index].local[8..<14] == before[index].local[8..<14])   // method, time, date
            #expect(after[index].central[28..<46] == before[index].central[28..<46])   // lengths, attributes
            #expect(after[index].local != before[index].local)
        }
        let dump = try Self.python(Self.zipDump, output, name: "export.zip")
        #expect(dump.contains("== 2026/tickets.csv (2026, 1, 2, 3, 4, 8) 8 b'' "))
        #expect(dump.contains("== readme.txt (2025, 12, 31, 23, 59, 58) 8 b'kept' "))
        #expect(dump.contains("== notes.jsonl (2026, 1, 2, 3, 4, 10) 0 b'' "))
        #expect(dump.contains("1,Ada,[NI NUMBER]\n") && dump.contains("caller gave [NI NUMBER]"))
        #expect(!dump.contains(Self.value))
        #expect(output.suffix(15) == Data("archive comment".utf8))
    }

    @Test("a JSON Lines file inside gzip is redacted and compressed again behind its header; Python's gzip opens it")
    func gzipMember() throws {
        let jsonl = Data("{\"id\":1,\"customer\":{\"ni\":\"JG 10 37 55 A\"}}\n{\"id\":2}\n".utf8)
        let original = try Fixtures.gzip(jsonl, name: "tickets.jsonl")
        let target = try Self.target(original, name: "tickets.jsonl.gz", path: ["tickets.jsonl.gz", "tickets.jsonl"])
        let output = try DocumentRewriter.redact(original, name: "tickets.jsonl.gz", targets: [target])
        #expect(output.prefix(10 + 14) == original.prefix(10 + 14))   // header and FNAME kept
        let dump = try Self.python("import gzip, sys; f = gzip.open(sys.argv[1]); sys.stdout.write(f.read().decode()); print(f.name)",
                                   output, name: "tickets.jsonl.gz")
        #expect(dump.contains("{\"id\":1,\"customer\":{\"ni\":\"[NI NUMBER]\"}}\n{\"id\":2}\n"))
        #expect(!dump.contains(Self.value))
    }

    @Test("nested containers are rewritten inside out: a CSV in a gzip in a ZIP in a ZIP; the outer copies stay byte for byte")
    func nested() throws {
        let inner = try Fixtures.gzip(Data("ni\nJG 10 37 55 A\n".utf8))
        let middle = try Fixtures.zip([("customers.csv.gz", inner), ("clean.txt", Data("nothing\n".utf8))])
        let outer = try Fixtures.zip([("cover.txt", Data("see inside\n".utf8)), ("2026.zip", middle)])
        let path = ["outer.zip", "2026.zip", "customers.csv.gz", "customers.csv"]
        let output = try DocumentRewriter.redact(outer, name: "outer.zip", targets: [try Self.target(outer, name: "outer.zip", path: path)])
        let (texts, problems) = Self.documents(output, name: "outer.zip")
        #expect(problems.isEmpty)
        #expect(texts[path.joined(separator: " › ")] == "ni\n[NI NUMBER]\n")
        #expect(texts["outer.zip › 2026.zip › clean.txt"] == "nothing\n")
        #expect(try Self.rawEntries(output)[0].local == Self.rawEntries(outer)[0].local)
        let dump = try Self.python("""
            import gzip, io, sys, zipfile
            outer = zipfile.ZipFile(sys.argv[1]); assert outer.testzip() is None
            middle = zipfile.ZipFile(io.BytesIO(outer.read("2026.zip"))); assert middle.testzip() is None
            sys.stdout.write(gzip.decompress(middle.read("customers.csv.gz")).decode())
            """, output, name: "outer.zip")
        #expect(dump == "ni\n[NI NUMBER]\n")
    }

    @Test("an Office file inside a ZIP is redacted in place by the Office rewriter")
    func officeInZip() throws {
        let letter = try Fixtures.docx(paragraphs: ["Dear Ada,", "Your NI number is JG 10 37 55 A."])
        let archive = try Fixtures.zip([("letters/ada.docx", letter)])
        let path = ["mail.zip", "letters/ada.docx"]
        let output = try DocumentRewriter.redact(archive, name: "mail.zip", targets: [try Self.target(archive, name: "mail.zip", path: path)])
        let (texts, _) = Self.documents(output, name: "mail.zip")
        #expect(texts[path.joined(separator: " › ")]?.contains("Your NI number is [NI NUMBER].") == true)
    }

    @Test("what cannot be written fails closed with X012 and writes nothing: UTF-16 text, a PDF, a text that reads differently")
    func failsClosed() throws {
        var utf16 = Data([0xFF, 0xFE])
        utf16.append("ni\nJG 10 37 55 A\n".data(using: .utf16LittleEndian)!)
        let archive = try Fixtures.zip([("a.csv", utf16), ("b.pdf", Fixtures.pdf(pages: ["NI JG 10 37 55 A"]))])
        for member in ["a.csv", "b.pdf"] {
            let target = try Self.target(archive, name: "x.zip", path: ["x.zip", member])
            #expect(throws: ExtractProblem.self) { try DocumentRewriter.redact(archive, name: "x.zip", targets: [target]) }
            do {
                _ = try DocumentRewriter.redact(archive, name: "x.zip", targets: [target])
            } catch {
                #expect(error.code == ExtractCode.notRewritable)
            }
        }
        let plain = try Fixtures.zip([("c.txt", Data("JG 10 37 55 A\n".utf8))])
        var stale = try Self.target(plain, name: "x.zip", path: ["x.zip", "c.txt"])
        stale.text[0] = UInt8(ascii: "K")
        #expect(throws: ExtractProblem(ExtractCode.notRewritable, "the text is stored in a form the rewriter cannot write (UTF-16, or read differently)")) {
            try DocumentRewriter.redact(plain, name: "x.zip", targets: [stale])
        }
    }

    @Test("the nesting bound holds while rewriting: a document four containers deep is refused (X001)")
    func depthBound() throws {
        var data = Data("JG 10 37 55 A\n".utf8)
        var path = ["d.txt"]
        for level in 0..<4 {
            data = try Fixtures.zip([(path[0], data)])
            path.insert("level\(level).zip", at: 0)
        }
        var limits = ExtractLimits()
        limits.depth = 3
        let target = DocumentRewriter.Target(path: path, text: Array("JG 10 37 55 A\n".utf8),
                                             replacements: [.init(range: 0..<13, text: Array("[NI NUMBER]".utf8))])
        do {
            _ = try DocumentRewriter.redact(data, name: path[0], targets: [target], limits: limits)
            Issue.record("a document nested too deep was rewritten")
        } catch {
            #expect(error.code == ExtractCode.tooDeep)
        }
    }

    @Test("a file whose redaction leaves a value behind is refused by the caller's check")
    func checkRefuses() throws {
        let archive = try Fixtures.zip([("c.txt", Data("JG 10 37 55 A and JG 10 37 55 A\n".utf8))])
        let target = DocumentRewriter.Target(path: ["x.zip", "c.txt"], text: Array("JG 10 37 55 A and JG 10 37 55 A\n".utf8),
                                             replacements: [.init(range: 0..<13, text: Array("[NI NUMBER]".utf8))])
        #expect(throws: ExtractProblem.self) {
            try DocumentRewriter.redact(archive, name: "x.zip", targets: [target]) { document throws(ExtractProblem) in
                if String(decoding: document.text, as: UTF8.self).contains(Self.value) {
                    throw ExtractProblem(ExtractCode.notRewritable, "still there")
                }
            }
        }
    }

    @Test("entries written with data descriptors (a ZIP streamed to a pipe) are copied whole and rewritten without one")
    func dataDescriptors() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PythonOffice.interpreter ?? "/usr/bin/python3")
        process.arguments = ["-c", """
            import sys, zipfile
            z = zipfile.ZipFile(sys.stdout.buffer, "w", zipfile.ZIP_DEFLATED)
            z.writestr("a.txt", "clean text\\n" * 20)
            z.writestr("b.csv", "ni\\nJG 10 37 55 A\\n")
            z.writestr("c.txt", "more clean text\\n")
            z.close()
            """]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let original = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let before = try Self.rawEntries(original)
        #expect(before.allSatisfy { ZipSplicer.le16($0.local, 6) & 8 != 0 })
        let output = try DocumentRewriter.redact(original, name: "p.zip", targets: [try Self.target(original, name: "p.zip", path: ["p.zip", "b.csv"])])
        let after = try Self.rawEntries(output)
        #expect(after[0].local == before[0].local && after[2].local == before[2].local)
        #expect(ZipSplicer.le16(after[1].local, 6) & 8 == 0)
        let dump = try Self.python(Self.zipDump, output, name: "p.zip")
        #expect(dump.contains("ni\n[NI NUMBER]\n") && dump.contains("more clean text\n"))
    }

    @Test("Office documents now keep every part they do not change byte for byte")
    func officeCopiesUnchangedParts() throws {
        let letter = try Fixtures.docx(paragraphs: ["NI JG 10 37 55 A"], extra: [("word/styles.xml", "<w:styles xmlns:w=\"w\"/>")])
        let target = try Self.target(letter, name: "l.docx", path: ["l.docx"])
        let output = try OfficeRewriter.redact(letter, text: target.text, replacements: target.replacements)
        let before = try Self.rawEntries(letter)
        let after = try Self.rawEntries(output)
        #expect(after.count == before.count)
        #expect(after[0].local == before[0].local && after[2].local == before[2].local)
        #expect(after[1].local != before[1].local)
    }
}
