import Foundation

/// `A1` column letters for a 1-based column number.
func columnLetters(_ column: Int) -> String {
    var n = max(column, 1)
    var letters: [Character] = []
    while n > 0 {
        let rest = (n - 1) % 26
        letters.append(Character(Unicode.Scalar(UInt8(65 + rest))))
        n = (n - 1) / 26
    }
    return String(letters.reversed())
}

/// The column number of a cell reference (`C14` → 3), nil when it has no letters.
func columnNumber(ofReference reference: String) -> Int? {
    var column = 0
    for byte in reference.utf8 {
        guard byte >= 65 && byte <= 90 || byte >= 97 && byte <= 122 else { break }
        column = column * 26 + Int((byte & 0xDF) - 64)
        if column > 1 << 20 { return nil }
    }
    return column == 0 ? nil : column
}

/// XLSX `xl/sharedStrings.xml`: the text of every `si` (rich-text runs joined; phonetic runs skipped).
final class SharedStringsReader: XMLTextReader {
    private(set) var strings: [String] = []
    /// The item being read (its index is `strings.count`).
    private(set) var current = ""
    private var inItem = false
    private var inText = false
    private var inPhonetic = false
    private var total = 0

    override func start(_ name: String, _ attributes: XMLAttributes) {
        switch name {
        case "si": inItem = true; current = ""
        case "t": inText = inItem && !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    override func end(_ name: String) {
        switch name {
        case "si":
            inItem = false
            strings.append(current)
            total += current.utf8.count
            if total > budget.limits.textBytes {
                fail(ExtractProblem(ExtractCode.tooLarge, "more than \(budget.limits.textBytes / (1024 * 1024)) MiB of shared strings"))
            }
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }

    override func characters(_ string: String) {
        if inText { current += string }
    }
}

/// XLSX `xl/workbook.xml`: sheet names and relationship ids, in workbook order.
final class WorkbookReader: XMLTextReader {
    private(set) var sheets: [(name: String, id: String)] = []

    override func start(_ name: String, _ attributes: XMLAttributes) {
        guard name == "sheet" else { return }
        let id = attributes.first { XMLTextReader.local($0.key) == "id" && $0.key.contains(":") }?.value ?? ""
        sheets.append((attributes["name"] ?? "Sheet\(sheets.count + 1)", id))
    }
}

/// A `.rels` part: relationship id → target.
final class RelationshipsReader: XMLTextReader {
    private(set) var targets: [String: String] = [:]

    override func start(_ name: String, _ attributes: XMLAttributes) {
        guard name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
        targets[id] = target
    }
}

/// One XLSX worksheet: each cell's value (shared string, inline string, number, formula result)
/// labelled `Sheet1!C14`, and the string literals of its formula labelled `Sheet1!C14 formula`
/// (not written back: a redaction there fails closed); cells of a row joined by tabs, rows by
/// newlines. Header and footer text (`headerFooter`: odd, even, first) follows as lines labelled
/// `Sheet1 › odd header`.
final class WorksheetReader: XMLTextReader {
    let sheet: String
    let shared: [String]
    private var reference: String?
    private var type = ""
    private var value = ""
    private var inline = ""
    private var formula = ""
    private var capture: Capture = .none
    /// Shared strings some cell of this sheet shows.
    private(set) var usedShared = Set<Int>()
    /// Cells started so far (the rewriter ties character data to the cell it belongs to).
    private(set) var cellOrdinal = 0
    /// Called for each cell put in the text: its ordinal, where its text starts, its type and
    /// (type `s`) its shared-string index. Used by the in-place rewriter only.
    var onCell: ((_ ordinal: Int, _ start: Int, _ type: String, _ shared: Int?) -> Void)?

    /// How much of the cell's own text (an inline string, or a formula's string result) has
    /// been read; nil while the character data is not such text.
    var cellTextLength: Int? {
        switch capture {
        case .inline: inline.utf8.count
        case .value where type == "str": value.utf8.count
        case .header: header.utf8.count
        default: nil
        }
    }
    /// Header and footer text (`headerFooter`), read like a cell of its own.
    static let headerFooterLabels: [String: String] = [
        "oddHeader": "odd header", "oddFooter": "odd footer", "evenHeader": "even header",
        "evenFooter": "even footer", "firstHeader": "first header", "firstFooter": "first footer",
    ]
    /// Whether an element is a header or footer (`is`, `sheetData` and the like, short names,
    /// are told apart without a lookup).
    private static func isHeaderFooter(_ name: String) -> Bool {
        name.utf8.count >= 9 && headerFooterLabels[name] != nil
    }
    private var header = ""
    /// `Sheet1!`, which every cell's label starts with.
    private let labelPrefix: String
    private var row = 0
    private var column = 0
    private var cellsInRow = 0

    private enum Capture { case none, value, inline, formula, header }

    init(budget: ExtractBudget, sheet: String, shared: [String]) {
        self.sheet = sheet
        self.shared = shared
        labelPrefix = sheet + "!"
        super.init(budget: budget)
    }

    // Element names of one letter (`c`, `v`, `f`, `t`: most tags of a sheet) are told apart by
    // their byte, the others by name.
    override func start(_ name: String, _ attributes: XMLAttributes) {
        if name.utf8.count == 1 {
            switch name.utf8.first! {
            case UInt8(ascii: "c"):
                reference = attributes["r"]
                cellOrdinal += 1
                type = attributes["t"] ?? ""
                value = ""
                inline = ""
                formula = ""
                column = reference.flatMap(columnNumber(ofReference:)) ?? (column + 1)
            case UInt8(ascii: "v"): capture = .value
            case UInt8(ascii: "f"): capture = .formula
            case UInt8(ascii: "t") where type == "inlineStr": capture = .inline
            default: break
            }
        } else if name == "row" {
            row = attributes["r"].flatMap { Int($0) } ?? (row + 1)
            column = 0
            cellsInRow = 0
        } else if WorksheetReader.isHeaderFooter(name) {
            cellOrdinal += 1
            header = ""
            capture = .header
        }
    }

    override func end(_ name: String) {
        if name.utf8.count == 1 {
            switch name.utf8.first! {
            case UInt8(ascii: "v"), UInt8(ascii: "t"), UInt8(ascii: "f"): capture = .none
            case UInt8(ascii: "c"): emitCell()
            default: break
            }
        } else if name == "row" {
            if cellsInRow > 0 { out.newline() }
        } else if WorksheetReader.isHeaderFooter(name) {
            capture = .none
            emitHeader(WorksheetReader.headerFooterLabels[name]!)
        }
    }

    override func characters(_ string: String) {
        switch capture {
        case .value: value += string
        case .inline: inline += string
        case .formula: formula += string
        case .header: header += string
        case .none: break
        }
    }

    /// A header or footer as a line of its own, labelled `Sheet1 › odd header`, its codes
    /// blanked (same length, so the rewriter can write a redaction in place).
    private func emitHeader(_ label: String) {
        let text = blankHeaderFooterCodes(header)
        header = ""
        guard text.contains(where: { !$0.isWhitespace }) else { return }
        out.newline()
        out.begin("\(sheet) › \(label)")
        onCell?(cellOrdinal, out.text.count, "inlineStr", nil)
        out.append(text)
        out.end()
        out.newline()
    }

    private func emitCell() {
        var text: String
        var sharedIndex: Int?
        switch type {
        case "s":
            guard let index = Int(value) ?? Int(value.trimmingCharacters(in: .whitespaces)), shared.indices.contains(index) else { text = ""; break }
            text = shared[index]
            sharedIndex = index
            usedShared.insert(index)
        case "inlineStr": text = inline
        case "b", "e": text = ""
        default: text = value   // numbers, dates as serials, formula string results ("str")
        }
        let literals = WorksheetReader.stringLiterals(formula)
        guard !text.isEmpty || !literals.isEmpty else { return }
        var label = labelPrefix
        if let reference { label += reference } else { label += columnLetters(column) + String(row) }
        out.appendCell(label: label, text: text, formulaLiterals: literals, cellsInRow: &cellsInRow) { start in
            onCell?(cellOrdinal, start, type, sharedIndex)
        }
    }

    /// The string literals of a formula (`"…"`, `""` inside one is a quote), non-empty ones.
    static func stringLiterals(_ formula: String) -> [String] {
        guard formula.contains("\"") else { return [] }
        var literals: [String] = []
        var current = ""
        var inside = false
        var iterator = formula.makeIterator()
        var pending = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if inside {
                if character == "\"" {
                    if pending == "\"" {
                        current.append("\"")
                        pending = iterator.next()
                    } else {
                        inside = false
                        if !current.isEmpty { literals.append(current) }
                        current = ""
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inside = true
            }
        }
        return literals.map(XMLTextReader.attributeText).filter { !$0.isEmpty }
    }
}

/// ODS `content.xml`: every table's cells labelled `Sheet1!C14` (repeated rows and columns
/// counted, never expanded), each cell's paragraphs (a comment's too, its author and date left
/// out), its typed value when the text differs, and its formula's string literals
/// (`Sheet1!C14 formula`: an attribute, so a redaction there fails closed).
final class OpenDocumentSheetReader: XMLTextReader {
    /// Goes before each table name (an embedded object's `Object 1 › `).
    var prefix = ""
    private var table = ""
    private var row = 0
    private var column = 0
    private var rowRepeat = 1
    private var columnRepeat = 1
    private var cellText = ""
    private var cellValue: String?
    private var formula = ""
    private var inCell = 0
    private var paragraphsInCell = 0
    private var cellsInRow = 0
    /// Inside a comment's (`office:annotation`) author or date: left out.
    private var inAnnotationMeta = 0
    private var inAnnotation = 0
    /// Cells started so far, and a hook called for each cell put in the text (its ordinal, where
    /// its text starts, whether it has a typed value): used by the in-place rewriter only.
    private(set) var cellOrdinal = 0
    var onCell: ((_ ordinal: Int, _ start: Int, _ typed: Bool) -> Void)?
    /// How much of the cell's own text has been read; nil outside a cell.
    var cellTextLength: Int? { inCell > 0 ? cellText.utf8.count : nil }

    override func start(_ name: String, _ attributes: XMLAttributes) {
        switch name {
        case "table":
            table = prefix + (attribute("name", attributes) ?? "Sheet")
            row = 0
        case "table-row":
            rowRepeat = Int(attribute("number-rows-repeated", attributes) ?? "") ?? 1
            row += 1
            column = 0
            cellsInRow = 0
        case "table-cell", "covered-table-cell":
            columnRepeat = Int(attribute("number-columns-repeated", attributes) ?? "") ?? 1
            column += 1
            if inCell == 0 { cellOrdinal += 1 }
            inCell += 1
            cellText = ""
            paragraphsInCell = 0
            cellValue = attribute("value", attributes) ?? attribute("date-value", attributes) ?? attribute("string-value", attributes)
            formula = attribute("formula", attributes) ?? ""
        case "p" where inCell > 0:
            if paragraphsInCell > 0 { cellText += "\n" }
            paragraphsInCell += 1
        case "s" where inCell > 0: cellText += " "
        case "tab" where inCell > 0: cellText += "\t"
        case "annotation" where inCell > 0: inAnnotation += 1
        case let meta where inAnnotation > 0 && (meta == "creator" || meta == "date" || meta == "initials"): inAnnotationMeta += 1
        default: break
        }
    }

    override func end(_ name: String) {
        switch name {
        case "table-row":
            if cellsInRow > 0 { out.newline() }
            row += max(0, min(rowRepeat, 1 << 20) - 1)
        case "table-cell", "covered-table-cell":
            inCell = max(0, inCell - 1)
            var text = cellText
            if let cellValue, !cellValue.isEmpty, !text.contains(cellValue) {
                text += text.isEmpty ? cellValue : " " + cellValue
            }
            let literals = WorksheetReader.stringLiterals(formula)
            formula = ""
            // A formula's string literals are an attribute: a redaction there fails closed.
            if !text.isEmpty || !literals.isEmpty {
                let hasValue = cellValue.map { !$0.isEmpty } ?? false
                out.appendCell(label: "\(table)!\(columnLetters(column))\(row)", text: text, formulaLiterals: literals,
                               cellsInRow: &cellsInRow) { start in onCell?(cellOrdinal, start, hasValue) }
            }
            column += max(0, min(columnRepeat, 1 << 14) - 1)
        case "annotation" where inAnnotation > 0: inAnnotation -= 1
        case let meta where inAnnotationMeta > 0 && (meta == "creator" || meta == "date" || meta == "initials"): inAnnotationMeta -= 1
        default: break
        }
    }

    override func characters(_ string: String) {
        if inCell > 0 && inAnnotationMeta == 0 { cellText += string }
    }

    private func attribute(_ local: String, _ attributes: XMLAttributes) -> String? {
        attributes.first { XMLTextReader.local($0.key) == local }?.value
    }
}
