import Foundation

/// Redacts inside any file ``Extractor`` reads, down to the document that holds the values:
///
/// - an Office Open XML or OpenDocument file is redacted in place by ``OfficeRewriter``;
/// - a plain-text member (text, CSV, JSON Lines, an e-mail) has its bytes replaced;
/// - a ZIP is re-packed by ``ZipSplicer``: only the entries that changed are written again, every
///   other entry is copied byte for byte with its metadata;
/// - a gzip file is compressed again behind its original header;
/// - a file embedded in an Office document (`word/embeddings/Book1.xlsx`) is a member like any
///   other: redacted, and the document re-packed around it (its own text in place as well).
///
/// Containers nest as the reader allows (depth, entries, bytes, ratio and time bounds: one
/// ``ExtractBudget`` for the whole file). Each target names a document by its container chain
/// (``ExtractedDocument/path``) and carries the text its findings were made on: when the file
/// reads differently (a UTF-16 text member, a PDF, a value not stored as text), nothing is
/// written and an ``ExtractProblem`` (X012, or the bound that was hit) says why. The result is
/// read back whole before it is returned (a member the original could not be read either is
/// copied as it is and may fail again the same way); `check` sees every document of it.
public enum DocumentRewriter {
    /// One document to redact: its container chain, the text the replacements refer to, and the
    /// replacements (ranges of that text, sorted or not, not overlapping).
    public struct Target: Sendable {
        public var path: [String]
        public var text: [UInt8]
        public var replacements: [OfficeRewriter.Replacement]
        public init(path: [String], text: [UInt8], replacements: [OfficeRewriter.Replacement]) {
            self.path = path
            self.text = text
            self.replacements = replacements
        }
    }

    /// The redacted file. `check` is called with each document of the result as it reads back
    /// (throw to refuse it, e.g. when a value to redact is still there).
    public static func redact(_ data: Data, name: String, targets: [Target], limits: ExtractLimits = ExtractLimits(),
                              check: (ExtractedDocument) throws(ExtractProblem) -> Void = { _ throws(ExtractProblem) in })
        throws(ExtractProblem) -> Data {
        guard !targets.isEmpty else { return data }
        guard targets.allSatisfy({ $0.path.first == name && !$0.path.isEmpty }) else {
            throw ExtractProblem(ExtractCode.notRewritable, "a document to redact is not in this file")
        }
        let budget = ExtractBudget(limits: limits)
        let output = try rewrite(data, path: [name], targets: targets, depth: 1, budget: budget)
        // Read back: the whole file must extract, and pass `check`. A member the original could not
        // be read either (a legacy .xls in a ZIP, an encrypted member) was copied as it was: the
        // same problem again is no new one (it was reported, and decided, as unscannable).
        var failure: ExtractProblem?
        let problems = Extractor(limits: limits).extract(output, name: name) { document in
            guard failure == nil else { return }
            do throws(ExtractProblem) { try check(document) } catch { failure = error }
        }
        if !problems.isEmpty {
            let before = Set(Extractor(limits: limits).extract(data, name: name) { _ in })
            if let problem = problems.first(where: { !before.contains($0) || Extractor.isFatal($0) }) {
                throw ExtractProblem(ExtractCode.notRewritable, "the redacted file does not read back (\(problem.code))")
            }
        }
        if let failure { throw failure }
        return output
    }

    static func rewrite(_ data: Data, path: [String], targets: [Target], depth: Int, budget: ExtractBudget) throws(ExtractProblem) -> Data {
        try budget.checkTime()
        let kind = ContentKind.sniff(data.prefix(8192))
        let here = targets.filter { $0.path.count == path.count }
        guard here.count <= 1 else {
            throw ExtractProblem(ExtractCode.notRewritable, "a document to redact is named twice")
        }
        // An Office document can hold both: files embedded in it (rewritten first, as members),
        // and its own text (rewritten in place in what that gives; its parts are the same).
        let inside = targets.filter { $0.path.count > path.count }
        let data = inside.isEmpty ? data : try members(data, kind: kind, path: path, targets: inside, depth: depth, budget: budget)
        if let target = here.first {
            return try leaf(data, kind: kind, target: target, budget: budget)
        }
        return data
    }

    /// Rewrites the documents inside a container (`targets` are all deeper than `path`).
    static func members(_ data: Data, kind: ContentKind, path: [String], targets: [Target], depth: Int, budget: ExtractBudget) throws(ExtractProblem) -> Data {
        if kind == .zip || kind == .gzip, depth > budget.limits.depth {
            throw ExtractProblem(ExtractCode.tooDeep, "nested deeper than \(budget.limits.depth) containers")
        }
        switch kind {
        case .gzip:
            let header = try GzipReader.header(data)
            let inner = GzipReader.innerName(outer: path.last ?? "", header: header)
            guard targets.allSatisfy({ $0.path[path.count] == inner }) else {
                throw ExtractProblem(ExtractCode.notRewritable, "a document to redact is not in this gzip file")
            }
            var expanded = Data()
            try GzipReader.inflate(data, budget: budget) { chunk in expanded.append(chunk) }
            let replaced = try rewrite(expanded, path: path + [inner], targets: targets, depth: depth + 1, budget: budget)
            return try GzipReader.replacingContent(of: data, with: replaced)
        case .zip:
            let container = try ZipContainer(data: data, budget: budget)
            var members: [String: [Target]] = [:]
            for target in targets { members[target.path[path.count], default: []].append(target) }
            var changed: [String: Data] = [:]
            for (member, inside) in members.sorted(by: { $0.key < $1.key }) {
                guard let entry = container.entry(member) else {
                    throw ExtractProblem(ExtractCode.notRewritable, "a document to redact is not in this archive")
                }
                changed[member] = try rewrite(container.read(entry), path: path + [member], targets: inside, depth: depth + 1, budget: budget)
            }
            return try ZipSplicer.splice(data, entries: Array(container.archive), replacing: changed)
        default:
            throw ExtractProblem(ExtractCode.notRewritable, "a file of a kind that cannot be redacted inside")
        }
    }

    /// The document itself: Office files through ``OfficeRewriter``, text by its bytes.
    static func leaf(_ data: Data, kind: ContentKind, target: Target, budget: ExtractBudget) throws(ExtractProblem) -> Data {
        switch kind {
        case .zip:
            return try OfficeRewriter.redact(data, text: target.text, replacements: target.replacements, limits: budget.limits)
        case .text:
            var bytes = [UInt8](data)
            guard bytes == target.text, Extractor.utf8(data) == bytes else {
                throw ExtractProblem(ExtractCode.notRewritable, "the text is stored in a form the rewriter cannot write (UTF-16, or read differently)")
            }
            var previous = Int.max
            for replacement in target.replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                guard replacement.range.upperBound <= previous, replacement.range.upperBound <= bytes.count else {
                    throw ExtractProblem(ExtractCode.notRewritable, "redactions overlap or lie outside the text")
                }
                bytes.replaceSubrange(replacement.range, with: replacement.text)
                previous = replacement.range.lowerBound
            }
            return Data(bytes)
        case .pdf:
            throw ExtractProblem(ExtractCode.notRewritable, "a PDF cannot be redacted inside")
        default:
            throw ExtractProblem(ExtractCode.notRewritable, "a file of a kind that cannot be redacted inside")
        }
    }
}
