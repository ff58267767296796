import Foundation

/// python-docx, openpyxl and python-pptx (PyPI), used to check that a redacted document still
/// opens in a real Office library. `make test` creates the virtualenv `.build/pyenv` with them
/// and sets `REDLINE_REQUIRE_PYTHON=1`; `REDLINE_PYTHON` may name another interpreter. Without
/// either, the checks are skipped with a note, unless required.
enum PythonOffice {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var interpreter: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["REDLINE_PYTHON"], packageRoot.appendingPathComponent(".build/pyenv/bin/python").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var required: Bool { ProcessInfo.processInfo.environment["REDLINE_REQUIRE_PYTHON"] == "1" }

    /// Runs `script` with `arguments`; returns stdout, or nil (with the reason) when Python is
    /// not there.
    static func run(_ script: String, _ arguments: [String]) throws -> (output: String, status: Int32)? {
        guard let python = interpreter else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self) + String(decoding: errors, as: UTF8.self), process.terminationStatus)
    }

    /// Prints every paragraph (DOCX), every slide's text (PPTX) or every cell (XLSX) of `file`.
    static let dump = """
        import sys
        path = sys.argv[1]
        if path.endswith(".docx"):
            import docx
            for p in docx.Document(path).paragraphs: print(p.text)
        elif path.endswith(".pptx"):
            import pptx
            for slide in pptx.Presentation(path).slides:
                for shape in slide.shapes:
                    if shape.has_text_frame: print(shape.text_frame.text)
        else:
            import openpyxl
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.value is not None: print(sheet.title + "!" + cell.coordinate + "=" + str(cell.value))
        """

    /// The text a real Office library reads from `data` (saved as `name` in a fresh temp dir),
    /// or nil when Python is absent and not required.
    static func text(of data: Data, name: String) throws -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redline-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try data.write(to: file)
        guard let (output, status) = try run(dump, [file.path]) else {
            if required { throw PythonMissing() }
            print("note: python-docx/openpyxl/python-pptx not found (make test creates .build/pyenv): the open-in-Office check is skipped")
            return nil
        }
        guard status == 0 else { throw PythonFailed(output: output) }
        return output
    }

    /// Makes a PPTX with python-pptx (one slide per text, two runs per paragraph when the text
    /// holds a `|`), or nil when Python is absent.
    static func makePresentation(_ slides: [String]) throws -> Data? {
        let script = """
            import sys, pptx
            from pptx.util import Inches
            deck = pptx.Presentation()
            for text in sys.argv[2:]:
                slide = deck.slides.add_slide(deck.slide_layouts[5])
                frame = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(2)).text_frame
                first, _, second = text.partition("|")
                frame.paragraphs[0].add_run().text = first
                if second: frame.paragraphs[0].add_run().text = second
            deck.save(sys.argv[1])
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redline-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("deck.pptx")
        guard let (output, status) = try run(script, [file.path] + slides) else {
            if required { throw PythonMissing() }
            return nil
        }
        guard status == 0 else { throw PythonFailed(output: output) }
        return try Data(contentsOf: file)
    }

    struct PythonMissing: Error {}
    struct PythonFailed: Error { var output: String }
}

/// Office files complete enough for openpyxl to open (content types and relationships).
enum OfficeFixtures {
    /// An XLSX with one sheet `Sheet1`: `shared` strings and cells (reference, type, value) where
    /// type is `s` (value: shared index), `inlineStr` or `n`.
    static func xlsx(shared: [String], cells: [(String, String, String)]) throws -> Data {
        var rows: [Int: [String]] = [:]
        for (reference, type, value) in cells {
            let row = Int(reference.drop { $0.isLetter })!
            let cell = switch type {
            case "s": "<c r=\"\(reference)\" t=\"s\"><v>\(value)</v></c>"
            case "inlineStr": "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(Fixtures.escape(value))</t></is></c>"
            default: "<c r=\"\(reference)\"><v>\(value)</v></c>"
            }
            rows[row, default: []].append(cell)
        }
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let type = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        let sheetData = rows.keys.sorted().map { "<row r=\"\($0)\">\(rows[$0]!.joined())</row>" }.joined()
        return try Fixtures.zip([
            ("[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="\(type).sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="\(type).worksheet+xml"/>\
                <Override PartName="/xl/sharedStrings.xml" ContentType="\(type).sharedStrings+xml"/></Types>
                """),
            ("_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"\(rel)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
            ("xl/workbook.xml", "<?xml version=\"1.0\"?><workbook xmlns=\"\(main)\" xmlns:r=\"\(rel)\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"\(rel)/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"\(rel)/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"),
            ("xl/sharedStrings.xml", "<?xml version=\"1.0\"?><sst xmlns=\"\(main)\" count=\"\(shared.count)\" uniqueCount=\"\(shared.count)\">\(shared.map { "<si><t>\(Fixtures.escape($0))</t></si>" }.joined())</sst>"),
            ("xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><worksheet xmlns=\"\(main)\"><sheetData>\(sheetData)</sheetData></worksheet>"),
        ])
    }
}
