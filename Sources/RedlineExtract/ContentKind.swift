import Foundation

/// What a file is, decided from its content (magic bytes, and for ZIP the entries inside), not
/// from its name or declared Content-Type.
public enum ContentKind: String, Sendable, CaseIterable {
    case docx, xlsx, pptx, odt, ods, odp, zip, gzip, pdf
    /// Text the existing readers handle (plain text, CSV, JSON Lines, an e-mail message).
    case text
    /// An OLE compound file: legacy .doc/.xls/.ppt, or an encrypted Office Open XML document.
    case compoundFile
    /// Anything else binary (images, RAR, 7z…): not readable here.
    case binary

    /// Office Open XML or OpenDocument: a ZIP of XML parts read as one document.
    public var isOfficeDocument: Bool {
        switch self {
        case .docx, .xlsx, .pptx, .odt, .ods, .odp: true
        default: false
        }
    }

    /// Sniffs the first bytes: `PK\3\4` (or an empty archive's `PK\5\6`) is a ZIP (refined by
    /// ``refine(zipEntries:mimetype:)``), `\x1f\x8b` gzip, `%PDF-` PDF (within the first 1 KiB,
    /// as readers accept), `D0 CF 11 E0` an OLE compound file; text is what has no NUL byte and
    /// few control characters in its first 8 KiB.
    public static func sniff<C: Collection>(_ bytes: C) -> ContentKind where C.Element == UInt8 {
        let head = Array(bytes.prefix(8192))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .compoundFile }
        let pdf: [UInt8] = Array("%PDF-".utf8)
        let window = head.prefix(1024)
        if window.count >= pdf.count, (0...(window.count - pdf.count)).contains(where: { window[$0..<($0 + pdf.count)].elementsEqual(pdf) }) {
            return .pdf
        }
        return looksLikeText(head) ? .text : .binary
    }

    static func looksLikeText(_ head: [UInt8]) -> Bool {
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return true }   // UTF-16 with BOM
        var control = 0
        for byte in head {
            if byte == 0 { return false }
            if byte < 32 && byte != 9 && byte != 10 && byte != 13 && byte != 12 && byte != 27 { control += 1 }
        }
        return control * 100 <= head.count   // at most 1% stray control characters
    }

    /// A ZIP's kind from its entry names and (for OpenDocument) the `mimetype` entry's content.
    static func refine(zipEntries names: Set<String>, mimetype: String?) -> ContentKind {
        if names.contains("[Content_Types].xml") {
            if names.contains("word/document.xml") { return .docx }
            if names.contains("xl/workbook.xml") { return .xlsx }
            if names.contains("ppt/presentation.xml") { return .pptx }
        }
        if let mimetype, names.contains("content.xml") {
            switch mimetype.trimmingCharacters(in: .whitespacesAndNewlines) {
            case "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template": return .odt
            case "application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.spreadsheet-template": return .ods
            case "application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.presentation-template": return .odp
            default: break
            }
        }
        return .zip
    }
}
