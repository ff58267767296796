import Foundation

/// Paragraph text of a word-processing or presentation part: DOCX (`w:p`/`w:t`, field codes in
/// `w:instrText`), PPTX (`a:p`/`a:t`), ODT and ODP (`text:p`, `text:h`, character data).
/// Paragraphs end in a newline; tabs, line breaks and ODF's `text:s` spacing are kept.
///
/// Also read: alt text of pictures and shapes (`wp:docPr`, `p:cNvPr`: `descr`, `title`) and
/// simple field codes (`w:fldSimple w:instr`), as lines after the part's text labelled
/// `alt text 1`, `field code 1` (attribute values: the in-place rewriter cannot write them, so a
/// redaction there fails closed); ODF comments (`office:annotation`) as paragraphs labelled
/// `comment 1`, their author and date left out.
final class ParagraphReader: XMLTextReader {
    struct Style {
        var paragraphs: Set<String>
        /// Elements whose character data is text; nil: all character data inside a paragraph.
        var textElements: Set<String>?
        /// An element that starts a new page (ODP `draw:page`): labels become `slide N`.
        var page: String?

        static let wordprocessing = Style(paragraphs: ["p"], textElements: ["t", "delText", "instrText", "delInstrText"])
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
    /// Attribute text (alt text, field codes) put after the part's text: label and text.
    private var attributeLines: [(label: String, text: String)] = []
    private var altTexts = 0
    private var fieldCodes = 0
    /// ODF comments: how many, how deep inside one, inside its author or date, and the label of
    /// the paragraph it sits in (taken up again after it).
    private var annotations = 0
    private var inAnnotation = 0
    private var inAnnotationMeta = 0
    private var paragraphLabel: String?

    init(budget: ExtractBudget, style: Style, prefix: String = "", fixedLabel: String? = nil) {
        self.style = style
        self.prefix = prefix
        self.fixedLabel = fixedLabel
        super.init(budget: budget)
    }

    /// What goes before an attribute line's or a comment's label.
    private var base: String {
        if let fixedLabel { return "\(fixedLabel) › " }
        if style.page != nil { return "slide \(max(pageCount, 1)) › " }
        return prefix
    }

    override func start(_ name: String, _ attributes: XMLAttributes) {
        if style.paragraphs.contains(name) {
            out.newline()
            inParagraph += 1
            let label: String
            if inAnnotation > 0 {
                label = "\(base)comment \(annotations)"
            } else {
                paragraphCount += 1
                if let fixedLabel {
                    label = fixedLabel
                } else if style.page != nil {
                    label = "slide \(max(pageCount, 1))"
                } else {
                    label = "\(prefix)paragraph \(paragraphCount)"
                }
                paragraphLabel = label
            }
            out.begin(label)
            return
        }
        switch name {
        case "docPr", "cNvPr":
            for key in ["descr", "title"] {
                if let value = attributes[key].map(XMLTextReader.attributeText), !value.isEmpty {
                    altTexts += 1
                    attributeLines.append(("\(base)alt text \(altTexts)", value))
                }
            }
        case "fldSimple":
            if let value = attributes.first(where: { XMLTextReader.local($0.key) == "instr" }).map({ XMLTextReader.attributeText($0.value) }), !value.isEmpty {
                fieldCodes += 1
                attributeLines.append(("\(base)field code \(fieldCodes)", value))
            }
        case "annotation" where style.textElements == nil:
            annotations += 1
            inAnnotation += 1
            return
        case let meta where inAnnotation > 0 && (meta == "creator" || meta == "date" || meta == "initials"):
            inAnnotationMeta += 1
            return
        default: break
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

    override func end(_ name: String) {
        if style.paragraphs.contains(name) {
            inParagraph = max(0, inParagraph - 1)
            out.newline()
            out.end()
        } else if let elements = style.textElements, elements.contains(name) {
            inText = max(0, inText - 1)
        } else if name == "annotation" && inAnnotation > 0 {
            inAnnotation -= 1
            // The paragraph the comment sits in goes on, under its own label.
            if inAnnotation == 0, inParagraph > 0, let paragraphLabel {
                out.newline()
                out.begin(paragraphLabel)
            }
        } else if inAnnotationMeta > 0 && (name == "creator" || name == "date" || name == "initials") {
            inAnnotationMeta -= 1
        }
    }

    override func characters(_ string: String) {
        guard inAnnotationMeta == 0 else { return }
        if style.textElements == nil ? inParagraph > 0 : inText > 0 {
            out.append(string)
        }
    }

    override func finish() -> (text: [UInt8], segments: [ExtractedDocument.Segment], problem: ExtractProblem?) {
        for (label, text) in attributeLines {
            out.newline()
            out.begin(label)
            out.append(text)
            out.end()
        }
        attributeLines = []
        return super.finish()
    }
}
