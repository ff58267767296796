import CPoppler
import Foundation

/// The text layer of a PDF, one segment per page (`page 3`), through poppler's GLib API.
///
/// The one owner of poppler handles: a document is opened in ``PDFDocument/init(_:)`` and
/// released in its `deinit`, pages are released right after their text is copied. An encrypted
/// PDF (one that needs a password to open) and one poppler cannot open are unscannable; the
/// time and text budgets are checked between pages. A PDF whose pages hold no text (a scan) is
/// reported as having no text layer.
final class PDFDocument {
    private let document: OpaquePointer

    init(_ data: Data) throws(ExtractProblem) {
        var error: UnsafeMutablePointer<GError>?
        let bytes: OpaquePointer? = data.withUnsafeBytes { raw in g_bytes_new(raw.baseAddress, gsize(raw.count)) }
        defer { redline_gbytes_unref(bytes) }
        guard let opened = poppler_document_new_from_bytes(bytes, nil, &error) else {
            let code = error?.pointee.code ?? 0
            if let error { g_error_free(error) }
            if code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) {
                throw ExtractProblem(ExtractCode.encrypted, "an encrypted PDF")
            }
            throw ExtractProblem(ExtractCode.corrupt, "a PDF that cannot be opened (corrupt or truncated)")
        }
        document = opened
    }

    deinit { redline_poppler_unref(UnsafeMutableRawPointer(document)) }

    var pageCount: Int { Int(poppler_document_get_n_pages(document)) }

    /// The text of page `index` (0-based), UTF-8; empty when it has none.
    func text(page index: Int) -> [UInt8] {
        guard let page = poppler_document_get_page(document, Int32(index)) else { return [] }
        defer { redline_poppler_unref(UnsafeMutableRawPointer(page)) }
        guard let text = poppler_page_get_text(page) else { return [] }
        defer { g_free(text) }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text)))
    }

    /// Every page's text, labelled `page N`, pages separated by a form feed line.
    static func extract(_ data: Data, budget: ExtractBudget) throws(ExtractProblem) -> (text: [UInt8], segments: [ExtractedDocument.Segment]) {
        let document = try PDFDocument(data)
        var out = TextBuilder()
        for index in 0..<document.pageCount {
            try budget.checkTime()
            let page = document.text(page: index)
            try budget.charge(text: page.count)
            out.newline()
            out.begin("page \(index + 1)")
            out.text.append(contentsOf: page)
            out.end()
        }
        return out.finish()
    }
}
