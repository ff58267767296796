/// One matched value: its byte range in the scanned text and the index column it matched.
public struct EDMSpan: Sendable, Hashable {
    public var range: Range<Int>
    public var column: Int
}

/// Values of one indexed row found together: a primary value and the corroborating values of the
/// same row within the window. Carries the row's keyed fingerprint, never a value.
public struct EDMMatch: Sendable {
    public var row: UInt32
    public var rowFingerprint: UInt64
    /// Sorted by start; each its own span.
    public var spans: [EDMSpan]
}

/// How an `exact_data` detector is configured (column names as in the index).
public struct MatchSettings: Sendable {
    public var primary: [String]
    public var corroborate: [String]
    public var minCorroborating: Int
    /// Bytes on either side of a primary value in which corroborating values count.
    public var window: Int

    public init(primary: [String], corroborate: [String], minCorroborating: Int, window: Int) {
        self.primary = primary
        self.corroborate = corroborate
        self.minCorroborating = minCorroborating
        self.window = window
    }
}

/// Finds the rows of an index in text. A match starts at a value of a primary column; it counts
/// when at least `minCorroborating` other columns of the *same row* (corroborating columns, or
/// other primary columns) have a value within the window. Values of different rows near each
/// other never add up. Primary candidates are looked for in the whole text; corroborating ones
/// only in the windows around primary values, so text without a primary value costs one pass per
/// primary column type.
public final class ExactDataMatcher: Sendable {
    public let index: ExactDataIndex
    public let settings: MatchSettings
    let keys: EDMKeys
    let primaryMask: UInt64
    let corroborateMask: UInt64
    let primaryTypes: [(ColumnType, TypeLimits)]
    let corroborateTypes: [(ColumnType, TypeLimits)]
    /// A value shared by more rows than this is not followed as a primary value (a shared
    /// switchboard number would otherwise make every nearby customer a candidate).
    static let maxRowsPerValue = 64

    /// Checks the settings against the index's columns. Errors name the unknown column and list
    /// the index's columns.
    public init(index: ExactDataIndex, keys: EDMKeys, settings: MatchSettings) throws(EDMError) {
        let names = index.columns.map(\.name)
        func mask(_ list: [String], _ what: String) throws(EDMError) -> UInt64 {
            var mask: UInt64 = 0
            for name in list {
                guard let position = names.firstIndex(of: name) else {
                    throw EDMError(.unknownColumn, "\(what) column '\(name)' is not in the index (it has \(names.joined(separator: ", ")))", file: index.path)
                }
                mask |= 1 << UInt64(position)
            }
            return mask
        }
        primaryMask = try mask(settings.primary, "primary")
        corroborateMask = try mask(settings.corroborate, "corroborating")
        guard primaryMask != 0 else { throw EDMError(.badColumns, "an exact_data detector needs at least one primary column", file: index.path) }
        guard primaryMask & corroborateMask == 0 else {
            throw EDMError(.badColumns, "a column cannot be both primary and corroborating", file: index.path)
        }
        func types(_ mask: UInt64) -> [(ColumnType, TypeLimits)] {
            var limits: [ColumnType: TypeLimits] = [:]
            for (position, column) in index.columns.enumerated() where mask & (1 << UInt64(position)) != 0 && column.maxLength > 0 {
                var entry = limits[column.type] ?? TypeLimits(maxTokens: 0)
                entry.maxTokens = max(entry.maxTokens, column.maxTokens)
                entry.minLength = min(entry.minLength, column.minLength)
                entry.maxLength = max(entry.maxLength, column.maxLength)
                limits[column.type] = entry
            }
            return ColumnType.allCases.compactMap { type in limits[type].map { (type, $0) } }
        }
        self.index = index
        self.keys = keys
        self.settings = settings
        primaryTypes = types(primaryMask)
        corroborateTypes = types(corroborateMask)
    }

    private struct Found {
        var range: Range<Int>
        var row: UInt32
        var column: Int
    }

    /// Every row found in `text` (normalised scan text, valid UTF-8), in order of first span.
    public func matches(in text: UnsafeBufferPointer<UInt8>) -> [EDMMatch] {
        var candidates = Candidates(text)
        let columnCount = index.columns.count
        // Per primary column type (in the order of `primaryTypes`), so that the phone and digits
        // candidates, found in one pass, keep the order one pass per type gave them.
        var found = [[Found]](repeating: [], count: primaryTypes.count)
        func lookUp(_ type: ColumnType, _ range: Range<Int>, _ normal: UnsafeBufferPointer<UInt8>) {
            let run = index.entries(for: keys.fingerprint(type, normal), type: type)
            guard !run.isEmpty, run.count <= ExactDataMatcher.maxRowsPerValue * 4 else { return }
            var rows = 0
            for entry in run {
                let column = index.column(entry)
                guard column < columnCount, primaryMask & (1 << UInt64(column)) != 0, index.columns[column].type == type else { continue }
                rows += 1
                if rows > ExactDataMatcher.maxRowsPerValue { break }
                guard let position = primaryTypes.firstIndex(where: { $0.0 == type }) else { return }
                found[position].append(Found(range: range, row: index.row(entry), column: column))
            }
        }
        var phoneLimits: TypeLimits?, digitsLimits: TypeLimits?
        for (type, limits) in primaryTypes {
            switch type {
            case .phone: phoneLimits = limits
            case .digits: digitsLimits = limits
            default: candidates.generate(type, in: 0..<text.count, limits: limits) { lookUp(type, $0, $1) }
            }
        }
        if phoneLimits != nil || digitsLimits != nil {
            candidates.digitCandidates(phone: phoneLimits, digits: digitsLimits, in: 0..<text.count) { lookUp($0, $1, $2) }
        }
        var primaries = found.flatMap { $0 }
        guard !primaries.isEmpty else { return [] }
        primaries.sort { $0.range.lowerBound < $1.range.lowerBound }
        let window = settings.window
        // Regions: overlapping windows merged, each with the rows its primary values belong to.
        var corroborating: [Found] = []
        var regionStart = 0
        while regionStart < primaries.count {
            var lo = max(0, primaries[regionStart].range.lowerBound - window)
            var hi = min(text.count, primaries[regionStart].range.upperBound + window)
            var end = regionStart + 1
            while end < primaries.count && primaries[end].range.lowerBound - window <= hi {
                hi = max(hi, min(text.count, primaries[end].range.upperBound + window))
                end += 1
            }
            lo = min(lo, hi)
            let rows = Array(Set(primaries[regionStart..<end].map(\.row))).sorted()
            for (type, limits) in corroborateTypes {
                candidates.generate(type, in: lo..<hi, limits: limits) { range, normal in
                    let run = index.entries(for: keys.fingerprint(type, normal), type: type)
                    guard !run.isEmpty else { return }
                    for row in rows {
                        for entry in index.entry(row: row, in: run) {
                            let column = index.column(entry)
                            guard column < columnCount, corroborateMask & (1 << UInt64(column)) != 0, index.columns[column].type == type else { continue }
                            corroborating.append(Found(range: range, row: row, column: column))
                        }
                    }
                }
            }
            regionStart = end
        }
        // Each primary value with the values of its row around it.
        var byRow: [UInt32: Set<EDMSpan>] = [:]
        var order: [UInt32] = []
        for primary in primaries {
            let lo = primary.range.lowerBound - window, hi = primary.range.upperBound + window
            func near(_ other: Found) -> Bool {
                other.row == primary.row && other.range.lowerBound >= lo && other.range.upperBound <= hi && other.range != primary.range
            }
            var spans: [EDMSpan] = [EDMSpan(range: primary.range, column: primary.column)]
            var columns = Set<Int>()
            for other in primaries where near(other) && other.column != primary.column {
                spans.append(EDMSpan(range: other.range, column: other.column))
                columns.insert(other.column)
            }
            for other in corroborating where near(other) {
                spans.append(EDMSpan(range: other.range, column: other.column))
                columns.insert(other.column)
            }
            guard columns.count >= settings.minCorroborating else { continue }
            if byRow[primary.row] == nil { order.append(primary.row) }
            byRow[primary.row, default: []].formUnion(spans)
        }
        return order.map { row in
            let spans = ExactDataMatcher.outermost(Array(byRow[row]!))
            return EDMMatch(row: row, rowFingerprint: index.rowFingerprint(row), spans: spans)
        }.sorted { ($0.spans.first?.range.lowerBound ?? 0) < ($1.spans.first?.range.lowerBound ?? 0) }
    }

    /// Spans sorted by start, without those lying inside another span (`Jane` inside `Jane O'Neil`).
    static func outermost(_ spans: [EDMSpan]) -> [EDMSpan] {
        let sorted = spans.sorted { ($0.range.lowerBound, -$0.range.upperBound, $0.column) < ($1.range.lowerBound, -$1.range.upperBound, $1.column) }
        var kept: [EDMSpan] = []
        for span in sorted {
            if let last = kept.last, last.range.lowerBound <= span.range.lowerBound, last.range.upperBound >= span.range.upperBound { continue }
            kept.append(span)
        }
        return kept
    }
}
