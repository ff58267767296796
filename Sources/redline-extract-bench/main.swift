// redline-extract-bench: attachment extraction speed, the milter's decision on a message with a
// large spreadsheet, and a nested zip bomb to reject (scripts/bench.sh prints its rows).
//
//   swift build -c release --product redline-extract-bench
//   .build/release/redline-extract-bench speed [--megabytes N]   XLSX and DOCX text extraction, MB/s of XML
//   .build/release/redline-extract-bench milter [--megabytes N]  the milter's decision (one redact pass) on a message with an N MB XLSX
//   .build/release/redline-extract-bench rewrite [--megabytes N] an N MB-of-XML XLSX redacted in place (NI numbers,
//                                                                no card), alone and inside a message through redact;
//                                                                an N MB CSV inside a ZIP redacted and re-packed
//   .build/release/redline-extract-bench bomb FILE               writes a nested zip bomb (16 per level, 5 levels, 4 GiB leaves)
//   .build/release/redline-extract-bench digest FILE.eml…        everything MailProcessor.check and .redact decide on each message
//                                                                (small ones also read in windows of 8 KB): verdict, findings,
//                                                                diagnostics, notes, output bytes, to compare two builds
//   .build/release/redline-extract-bench digest --write DIR [--megabytes N]
//                                                                writes the milter and rewrite messages (N MB and 1 MB) to DIR
//
// Inputs are generated in memory with ZIPFoundation; nothing here asserts a timing.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RedlineCore
import RedlineEngine
import RedlineExtract
import RedlineMail
import ZIPFoundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU time of this process, every thread (the mail layer scans a large attachment's windows on
/// a second thread while it reads the next): figures per CPU second hold up on a loaded machine,
/// wall time does not.
func cpu() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// CPU time of the calling thread: in a decision, the reading thread's part (with a second
/// thread scanning beside it, the part of the decision no other core can take).
func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func zip(_ entries: [(String, Data)]) -> Data {
    let archive = try! Archive(data: Data(), accessMode: .create)
    for (name, data) in entries {
        try! archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
    return archive.data!
}

/// An XLSX of about `bytes` of sheet XML: a customer export with shared strings, inline
/// strings and numbers (one NI number and one card per 50 rows, or `pii`).
func spreadsheet(bytes: Int, pii: String = "NI AB 12 34 56 C, card 4111 1111 1111 1111") -> (file: Data, xml: Int) {
    var shared: [String] = ["Name", "Email", "Postcode", "Notes"]
    var rows = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>"
    var row = 2
    while rows.utf8.count < bytes {
        shared.append("Customer \(row) called about order \(100000 + row)")
        let notes = row % 50 == 0 ? pii : "delivered on time"
        rows += "<row r=\"\(row)\"><c r=\"A\(row)\" t=\"s\"><v>\(shared.count - 1)</v></c><c r=\"B\(row)\" t=\"inlineStr\"><is><t>user\(row)@example.com</t></is></c>"
            + "<c r=\"C\(row)\"><v>\(row * 37)</v></c><c r=\"D\(row)\" t=\"inlineStr\"><is><t>\(notes)</t></is></c></row>"
        row += 1
    }
    let sheet = Data("<worksheet xmlns=\"m\"><sheetData>\(rows)</sheetData></worksheet>".utf8)
    let strings = Data(("<sst xmlns=\"m\">" + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>").utf8)
    let file = zip([
        ("[Content_Types].xml", Data("<Types/>".utf8)),
        ("xl/workbook.xml", Data("<workbook xmlns:r=\"r\"><sheets><sheet name=\"Export\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".utf8)),
        ("xl/_rels/workbook.xml.rels", Data("<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>".utf8)),
        ("xl/sharedStrings.xml", strings), ("xl/worksheets/sheet1.xml", sheet),
    ])
    return (file, sheet.count + strings.count)
}

/// A DOCX of about `bytes` of document XML, paragraphs of two runs each.
func document(bytes: Int) -> (file: Data, xml: Int) {
    var body = ""
    var index = 0
    while body.utf8.count < bytes {
        body += "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>Paragraph \(index):</w:t></w:r>"
            + "<w:r><w:t xml:space=\"preserve\"> thank you for your letter about order \(200000 + index); the refund is on its way.</w:t></w:r></w:p>"
        index += 1
    }
    let xml = Data("<w:document xmlns:w=\"w\"><w:body>\(body)</w:body></w:document>".utf8)
    return (zip([("[Content_Types].xml", Data("<Types/>".utf8)), ("word/document.xml", xml)]), xml.count)
}

/// An XLSX of at least `size` MB zipped (the XML doubled until it is), as the milter bench sends.
func zippedSpreadsheet(megabytes size: Int) -> (file: Data, xml: Int) {
    var xml = size << 20
    var sheet = spreadsheet(bytes: xml)
    while sheet.file.count < size << 20 {
        xml = xml * 2
        sheet = spreadsheet(bytes: xml)
    }
    return sheet
}

/// A message with `file` attached as `export.xlsx`, base64, as the milter receives it.
func mailMessage(_ file: Data) -> [UInt8] {
    var message = Array("From: agent@example.co.uk\r\nTo: someone@gmail.com\r\nSubject: export\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThe export is attached.\r\n--b\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"export.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
    message += Array(file.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]).utf8)
    message += Array("\r\n--b--\r\n".utf8)
    return message
}

/// Everything check and redact decide on `message`, one line per item, for comparing builds.
func digest(_ name: String, _ message: [UInt8], session: PipelineSession) {
    let checked = MailProcessor.check(message, session: session)
    let (output, verdict) = MailProcessor.redact(message, session: session)
    for (mode, verdict) in [("check", checked), ("redact", verdict)] {
        print("\(name) \(mode) verdict \(verdict.verdict.name) channel \(verdict.channel) reason \(verdict.reason ?? "-") findings \(verdict.findings.count)")
        print("  summary \(verdict.findingsSummary) deciding \(verdict.decidingRule ?? "-") overridden \(verdict.overriddenRules)")
        print("  unscanned \(verdict.unscannedAttachments) stripped \(verdict.strippedAttachments) redacted \(verdict.redactedAttachments)")
        for diagnostic in verdict.diagnostics { print("  diagnostic \(diagnostic)") }
        for finding in verdict.findings { print("  finding \(finding)") }
    }
    // The output's bytes, 64 per line in hex (a difference shows where it is).
    var line = ""
    for (index, byte) in output.enumerated() {
        line += String(byte, radix: 16)
        if index % 64 == 63 { print("  output \(line)"); line = "" }
    }
    print("  output \(line) (\(output.count) bytes)")
}

func megabytes(_ arguments: [String], default value: Int) -> Int {
    if let index = arguments.firstIndex(of: "--megabytes"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { return n }
    return value
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "speed":
    let size = megabytes(arguments, default: 40) << 20
    for (name, input) in [("xlsx", spreadsheet(bytes: size)), ("docx", document(bytes: size))] {
        var best = Double.infinity
        var bestCPU = Double.infinity
        var textBytes = 0
        for _ in 0..<3 {
            var limits = ExtractLimits()
            limits.seconds = 600
            let start = now(), startCPU = cpu()
            textBytes = 0
            let problems = Extractor(limits: limits).extract(input.file, name: "bench.\(name)") { textBytes += $0.text.count }
            best = min(best, now() - start)
            bestCPU = min(bestCPU, cpu() - startCPU)
            if !problems.isEmpty { print("\(name): problems \(problems.map { "\($0.code) \($0.message)" })") }
        }
        print(String(format: "extract-%@ %9.1f MB/s of XML per CPU second, %.1f MB/s wall (%.1f MB XML, %.1f MB zipped, %.1f MB text, best of 3: %.2f s CPU, %.2f s wall)",
                     name, Double(input.xml) / bestCPU / 1e6, Double(input.xml) / best / 1e6, Double(input.xml) / 1e6, Double(input.file.count) / 1e6,
                     Double(textBytes) / 1e6, bestCPU, best))
    }
case "milter":
    let size = megabytes(arguments, default: 20)
    let sheet = zippedSpreadsheet(megabytes: size)
    let message = mailMessage(sheet.file)
    let pipeline = try! PolicySource.embeddedDefault.compile(key: nil)
    let session = pipeline.makeSession()
    var best = Double.infinity
    var bestCPU = Double.infinity
    var bestThread = Double.infinity
    var verdict = MailVerdict(channel: "")
    for _ in 0..<3 {
        // What the milter does per message (MilterDecider.decide): one pass of MailProcessor.redact,
        // which checks, and builds the redacted message when the verdict asks for it.
        let start = now(), startCPU = cpu(), startThread = threadCPU()
        verdict = MailProcessor.redact(message, session: session).verdict
        best = min(best, now() - start)
        bestCPU = min(bestCPU, cpu() - startCPU)
        bestThread = min(bestThread, threadCPU() - startThread)
    }
    // Of which: reading the text out of the XLSX alone (the extractor the mail layer builds).
    var extractCPU = Double.infinity
    for _ in 0..<3 {
        let startCPU = cpu()
        _ = Extractor().extract(sheet.file, name: "export.xlsx") { _ in }
        extractCPU = min(extractCPU, cpu() - startCPU)
    }
    print(String(format: "milter-xlsx-%dMB %8.2f s CPU per decision (%.2f s of it on the calling thread), %.2f s wall (the milter's one redact pass; best of 3; XLSX %.1f MB zipped, %.1f MB XML; verdict %@, %d findings; text extraction alone %.2f s CPU)",
                 size, bestCPU, bestThread, best, Double(sheet.file.count) / 1e6, Double(sheet.xml) / 1e6, verdict.verdict.name, verdict.findings.count, extractCPU))
case "rewrite":
    // One NI number (the same, so no bulk-export block) per 50 rows: the verdict is redact.
    let size = megabytes(arguments, default: 20)
    let sheet = spreadsheet(bytes: size << 20, pii: "NI AB 12 34 56 C")
    let pipeline = try! PolicySource.embeddedDefault.compile(key: nil)
    let session = pipeline.makeSession()
    var document: ExtractedDocument?
    _ = Extractor().extract(sheet.file, name: "export.xlsx") { document = $0 }
    guard let document else { print("rewrite: nothing extracted"); exit(1) }
    let findings = session.scan(document.text, channel: "email-external").findings.filter { $0.action >= .redact }
    let replacements = findings.map { OfficeRewriter.Replacement(range: $0.start..<$0.end, text: pipeline.redact(Array(document.text[$0.start..<$0.end]), findings: [$0], base: $0.start)) }
    var best = Double.infinity
    for _ in 0..<3 {
        let start = now()
        do { _ = try OfficeRewriter.redact(sheet.file, text: document.text, replacements: replacements) } catch {
            print("rewrite: \(error.code) \(error.message)")
            exit(1)
        }
        best = min(best, now() - start)
    }
    print(String(format: "rewrite-xlsx       %9.1f MB/s of XML (%.1f MB XML, %d redactions, best of 3: %.2f s)",
                 Double(sheet.xml) / best / 1e6, Double(sheet.xml) / 1e6, replacements.count, best))
    let message = mailMessage(sheet.file)
    best = .infinity
    var verdict = MailVerdict(channel: "")
    for _ in 0..<3 {
        let start = now()
        verdict = MailProcessor.redact(message, session: session).verdict
        best = min(best, now() - start)
    }
    print(String(format: "milter-xlsx-redact %8.2f s per decision (redact inside the file; XLSX %.1f MB zipped, %.1f MB XML; verdict %@, %d attachment(s) redacted)",
                 best, Double(sheet.file.count) / 1e6, Double(sheet.xml) / 1e6, verdict.verdict.name, verdict.redactedAttachments.count))
    // A ZIP of CSVs: one N MB CSV with an NI number per 50 rows (rewritten), three clean ones (copied).
    var csv = "ticket,email,notes\n"
    var line = 0
    while csv.utf8.count < size << 20 {
        csv += "\(line),customer\(line % 977)@example.com,\(line % 50 == 0 ? "NI AB 12 34 56 C" : "order \(300000 + line) delivered")\n"
        line += 1
    }
    // Numbered rows: a run of one repeated line would compress past the 200:1 bound (a bomb, X004).
    let clean = Data((0..<100_000).map { "\($0),order \(($0 &* 7919) % 1_000_003) delivered, thank you\n" }.joined().utf8)
    let archive = zip([("2026/tickets.csv", Data(csv.utf8)), ("2026/a.csv", clean), ("2026/b.csv", clean), ("2026/c.csv", clean)])
    var csvText: [UInt8] = []
    _ = Extractor().extract(archive, name: "export.zip") { if $0.path.last == "2026/tickets.csv" { csvText += $0.text } }
    let csvFindings = session.scan(csvText, channel: "email-external").findings.filter { $0.action >= .redact }
    let target = DocumentRewriter.Target(path: ["export.zip", "2026/tickets.csv"], text: csvText, replacements: csvFindings.map {
        OfficeRewriter.Replacement(range: $0.start..<$0.end, text: pipeline.redact(Array(csvText[$0.start..<$0.end]), findings: [$0], base: $0.start))
    })
    best = .infinity
    for _ in 0..<3 {
        let start = now()
        do { _ = try DocumentRewriter.redact(archive, name: "export.zip", targets: [target]) } catch {
            print("rewrite: \(error.code) \(error.message)")
            exit(1)
        }
        best = min(best, now() - start)
    }
    print(String(format: "rewrite-zip-csv    %9.1f MB/s of CSV (%.1f MB CSV rewritten, %.1f MB copied, %d redactions, read back; best of 3: %.2f s)",
                 Double(csvText.count) / best / 1e6, Double(csvText.count) / 1e6, Double(clean.count * 3) / 1e6, csvFindings.count, best))
case "bomb":
    guard arguments.count > 1 else { print("usage: redline-extract-bench bomb FILE"); exit(2) }
    // Shaped like the classic 42 KB 42.zip: 16 archives per level, 5 levels, a 4 GiB - 1 file of
    // zeros in each of the bottom archives (streamed into the deflater, never held whole).
    let leafBytes = Int(UInt32.max)
    let archive = try! Archive(data: Data(), accessMode: .create)
    try! archive.addEntry(with: "0.bin", type: .file, uncompressedSize: Int64(leafBytes), compressionMethod: .deflate) { _, size in
        Data(count: size)
    }
    var level = archive.data!
    for depth in 1...4 { level = zip((0..<16).map { ("\(depth)-\($0).zip", level) }) }
    FileManager.default.createFile(atPath: arguments[1], contents: level)
    print("wrote \(arguments[1]): \(level.count / 1024) KB, 16 archives per level, 5 levels, 4 GiB leaves (\(16 * 16 * 16 * 16 * 4) GiB if expanded)")
case "digest":
    let size = megabytes(arguments, default: 20)
    let pipeline = try! PolicySource.embeddedDefault.compile(key: nil)
    let session = pipeline.makeSession()
    // The generated messages (their ZIP entries carry the time they were made) are written out
    // with `--write DIR`, to be given to another build as files.
    if let index = arguments.firstIndex(of: "--write"), index + 1 < arguments.count {
        let directory = arguments[index + 1]
        for (name, file) in [("milter-\(size)MB", zippedSpreadsheet(megabytes: size).file),
                             ("rewrite-\(size)MB", spreadsheet(bytes: size << 20, pii: "NI AB 12 34 56 C").file),
                             ("milter-1MB", spreadsheet(bytes: 1 << 20).file), ("rewrite-1MB", spreadsheet(bytes: 1 << 20, pii: "NI AB 12 34 56 C").file)] {
            FileManager.default.createFile(atPath: "\(directory)/\(name).eml", contents: Data(mailMessage(file)))
        }
        exit(0)
    }
    for file in arguments.dropFirst() where file.hasSuffix(".eml") {
        guard let data = FileManager.default.contents(atPath: file) else { print("\(file): cannot read"); exit(2) }
        digest(file, Array(data), session: session)
        // Small files again in small windows: many windowed units.
        if data.count < 4 << 20 {
            SheetWindows.$threshold.withValue(4096) {
                SheetWindows.$windowText.withValue(8192) { digest(file + " (windows of 8 KB)", Array(data), session: session) }
            }
        }
    }
default:
    print("usage: redline-extract-bench speed|milter|rewrite|digest [--megabytes N] | bomb FILE")
    exit(2)
}
