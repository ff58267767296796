import Foundation

/// Comments and notes kept in parts of their own: XLSX notes (`xl/comments1.xml`: `comment`
/// with `ref`, rich-text runs `t`), XLSX threaded comments (`threadedComment` with `ref`, `text`)
/// and PPTX comments (legacy `p:cm` with `p:text`; modern `p188:cm` with `a:t` runs).
///
/// Each comment is a line labelled `comments1 › B2` (the cell it is on) or `comment1 › comment 3`;
/// its character data is taken whole, so the in-place rewriter can write a redaction there.
final class CommentReader: XMLTextReader {
    static let itemElements: Set<String> = ["comment", "threadedComment", "cm"]
    static let textElements: Set<String> = ["t", "text"]

    let prefix: String
    private var count = 0
    private var inItem = 0
    private var inText = 0

    /// `prefix` goes before each comment's label (`comments1 › `).
    init(budget: ExtractBudget, prefix: String) {
        self.prefix = prefix
        super.init(budget: budget)
    }

    override func start(_ name: String, _ attributes: XMLAttributes) {
        if CommentReader.itemElements.contains(name) {
            count += 1
            inItem += 1
            out.newline()
            let reference = attributes["ref"].map { XMLTextReader.attributeText($0) }.flatMap { $0.isEmpty ? nil : $0 }
            out.begin(prefix + (reference ?? "comment \(count)"))
        } else if inItem > 0, CommentReader.textElements.contains(name) {
            inText += 1
        }
    }

    override func end(_ name: String) {
        if CommentReader.itemElements.contains(name) {
            inItem = max(0, inItem - 1)
            out.newline()
            out.end()
        } else if inItem > 0, CommentReader.textElements.contains(name) {
            inText = max(0, inText - 1)
        } else if inItem > 0, name == "p" {
            out.newline()   // a paragraph of a modern PPTX comment
        }
    }

    override func characters(_ string: String) {
        if inText > 0 { out.append(string) }
    }
}
