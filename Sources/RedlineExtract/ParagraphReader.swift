import Foundation

/// Paragraph text of a word-processing or presentation part: DOCX (`w:p`/`w:t`), PPTX
/// (`a:p`/`a:t`), ODT and ODP (`text:p`, `text:h`, character data). Paragraphs end in a
/// newline; tabs, line breaks and ODF's `text:s` spacing are kept.
final class ParagraphReader: XMLTextReader {
    struct Style {
        var paragraphs: Set<Substring>
        /// Elements whose character data is text; nil: all character data inside a paragraph.
        var textElements: Set<Substring>?
        /// An element that starts a new page (ODP `draw:page`): labels become `slide N`.
        var page: Substring?

        static let wordprocessing = Style(paragraphs: ["p"], textElements: ["t", "delText"])
        static let drawing = Style(paragraphs: ["p"], textElements: ["t"])
        static let openDocument = Style(paragraphs: ["p", "h"], textElements: nil)
        static let openDocumentPresentation = Style(paragraphs: ["p", "h"], textElements: nil, page: "page")
    }

    let style: Style
    /// Prefix for paragraph labels (`header1 › `), or a fixed label for every paragraph (`slide 3`).
    let prefix: String
    let fixedLabel: String?
    private(set) var paragraphCount = 0
    private var pageCount = 0
    private var inText = 0
    private var inParagraph = 0

    init(budget: ExtractBudget, style: Style, prefix: String = "", fixedLabel: String? = nil) {
        self.style = style
        self.prefix = prefix
        self.fixedLabel = fixedLabel
        super.init(budget: budget)
    }

    override func start(_ name: Substring, _ attributes: [String: String]) {
        if style.paragraphs.contains(name) {
            out.newline()
            paragraphCount += 1
            inParagraph += 1
            if let fixedLabel {
                out.begin(fixedLabel)
            } else if style.page != nil {
                out.begin("slide \(max(pageCount, 1))")
            } else {
                out.begin("\(prefix)paragraph \(paragraphCount)")
            }
            return
        }
        if let page = style.page, name == page {
            pageCount += 1
            return
        }
        if let elements = style.textElements, elements.contains(name) {
            inText += 1
            return
        }
        switch name {
        case "tab": out.append(byte: 9)
        case "br", "cr", "line-break": out.append(byte: 10)
        case "s" where style.textElements == nil:
            let count = attributes.first { XMLTextReader.local($0.key) == "c" }.flatMap { Int($0.value) } ?? 1
            for _ in 0..<min(max(count, 1), 64) { out.append(byte: 32) }
        default: break
        }
    }

    override func end(_ name: Substring) {
        if style.paragraphs.contains(name) {
            inParagraph = max(0, inParagraph - 1)
            out.newline()
            out.end()
        } else if let elements = style.textElements, elements.contains(name) {
            inText = max(0, inText - 1)
        }
    }

    override func characters(_ string: String) {
        if style.textElements == nil ? inParagraph > 0 : inText > 0 {
            out.append(string)
        }
    }
}
