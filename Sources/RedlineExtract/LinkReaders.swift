import Foundation

/// Hyperlink targets, which a reader never sees on the page but which leave with the file:
///
/// - Office Open XML: each external relationship (`TargetMode="External"`) of a `.rels` part,
///   such as a `mailto:` address behind a link in a document, a sheet or a slide;
/// - OpenDocument: each `xlink:href` that does not point inside the package (`./Object 1`,
///   `Pictures/…` and `#bookmark` do).
///
/// One line per target, labelled `document › link 1` (the part the links belong to), percent
/// escapes decoded (`mailto:ada%40example.com` reads as `mailto:ada@example.com`). Targets are
/// attribute values: the in-place rewriter cannot write them, so a redaction there fails closed.
final class LinkReader: XMLTextReader {
    enum Source {
        case relationships
        /// `xlink:href` attributes; `isInternal` tells a package path.
        case openDocument(isInternal: (String) -> Bool)
    }

    let source: Source
    let prefix: String
    private var count = 0

    init(budget: ExtractBudget, source: Source, prefix: String) {
        self.source = source
        self.prefix = prefix
        super.init(budget: budget)
    }

    override func start(_ name: String, _ attributes: XMLAttributes) {
        let target: String?
        switch source {
        case .relationships:
            guard name == "Relationship", attributes["TargetMode"] == "External" else { return }
            target = attributes["Target"]
        case let .openDocument(isInternal):
            guard let href = attributes.first(where: { XMLTextReader.local($0.key) == "href" && $0.key.contains(":") })?.value,
                  !href.hasPrefix("#"), !isInternal(href) else { return }
            target = href
        }
        guard let target else { return }
        let text = XMLTextReader.attributeText(target.removingPercentEncoding ?? target)
        guard !text.isEmpty else { return }
        count += 1
        out.newline()
        out.begin("\(prefix)link \(count)")
        out.append(text)
        out.end()
    }

    /// The label prefix for the links of relationship part `rels` (`word/_rels/document.xml.rels`
    /// → `document › `; the package's own `_rels/.rels` → `package › `).
    static func prefix(relationships rels: String) -> String {
        var name = (rels as NSString).lastPathComponent
        if name.hasSuffix(".rels") { name = String(name.dropLast(5)) }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        return name.isEmpty ? "package › " : "\(name) › "
    }
}

/// XLSX `xl/workbook.xml` defined names: the formula or constant each name stands for
/// (`<definedName name="contact">"ada@example.com"</definedName>`), one line each, labelled
/// `defined name 1`. Character data, taken whole: a redaction there is written in place.
final class DefinedNameReader: XMLTextReader {
    private var count = 0
    private var inside = 0

    override func start(_ name: String, _ attributes: XMLAttributes) {
        guard name == "definedName" else { return }
        inside += 1
        count += 1
        out.newline()
        out.begin("defined name \(count)")
    }

    override func end(_ name: String) {
        guard name == "definedName" else { return }
        inside = max(0, inside - 1)
        out.end()
        out.newline()
    }

    override func characters(_ string: String) {
        if inside > 0 { out.append(string) }
    }
}

/// Excel header and footer codes (`&L`, `&"Arial,Bold"`, `&12`, `&KFF0000`, `&P`) blanked out,
/// byte for byte, so `&LAda` reads as `  Ada` and a value's bytes stay where they are in the
/// part (the in-place rewriter writes a redaction at the same offsets). `&&` is an ampersand.
func blankHeaderFooterCodes(_ text: String) -> String {
    var bytes = Array(text.utf8)
    var index = 0
    while index < bytes.count {
        guard bytes[index] == 0x26, index + 1 < bytes.count else { index += 1; continue }   // &
        let next = bytes[index + 1]
        var end = index + 2
        if next == 0x26 {                     // && → "& "
            bytes[index + 1] = 0x20
            index += 2
            continue
        } else if next == 0x22 {              // &"font,style"
            while end < bytes.count, bytes[end] != 0x22 { end += 1 }
            end = min(end + 1, bytes.count)
        } else if next >= 0x30 && next <= 0x39 {   // &12 font size
            while end < bytes.count, bytes[end] >= 0x30 && bytes[end] <= 0x39 { end += 1 }
        } else if next == 0x4B {              // &KRRGGBB or &KttSnnn colour
            end = min(index + 8, bytes.count)
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }   // never half a character
        } else if next >= 0x80 {              // not a code: only the ampersand goes
            end = index + 1
        }
        for position in index..<end { bytes[position] = 0x20 }
        index = end
    }
    return String(decoding: bytes, as: UTF8.self)
}
