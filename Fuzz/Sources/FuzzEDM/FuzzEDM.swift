import Foundation
import FuzzSupport
import RedlineExactData

// The CSV → index path of `redline edm build`, and the index reader and matcher over the result.
// The input is the CSV; its own header names the columns, with types chosen from the header's
// bytes. Invariants: reading terminates with advancing offsets; a build either fails with an
// EDMError or gives an index that loads with the same key, holds the reported rows and cells, and
// contains no normalised value of eight bytes or more; matching the input against it stays in
// bounds; any single flipped byte of the index is refused (corrupt), never read.

let keys = EDMKeys(key: Array("fuzz-key".utf8))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEDM(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    bytes.withUnsafeBufferPointer { buffer in
        var table = CSVTable(buffer)
        var last = -1
        var header: [String] = []
        var values: [String] = []
        while true {
            guard let more = try? table.next() else { break }
            if !more { break }
            Fuzz.check(table.offset > last, "CSV reader did not advance at \(table.offset)")
            last = table.offset
            if header.isEmpty && !table.isBlank {
                header = table.fields.indices.map { table.string($0) }
            } else if values.count < 200 {
                values += table.fields.indices.map { table.string($0) }
            }
        }
        let types = ColumnType.allCases
        var columns: [ColumnSpec] = []
        for (position, name) in header.prefix(8).enumerated() {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.contains(","), !trimmed.contains(":"), !columns.contains(where: { $0.name == trimmed }) else { continue }
            columns.append(ColumnSpec(name: trimmed, type: types[(position + trimmed.utf8.count) % types.count]))
        }
        if columns.isEmpty { columns = [ColumnSpec(name: "missing", type: .text)] }
        let built: (bytes: [UInt8], report: BuildReport)
        do {
            built = try IndexBuilder.buildInMemory(csv: buffer, file: "fuzz.csv", columns: columns, strict: size % 2 == 0, keys: keys)
        } catch let error as EDMError {
            Fuzz.check(!error.message.isEmpty, "an error without a message")
            return
        } catch {
            Fuzz.check(false, "an error that is not an EDMError: \(error)")
            return
        }
        let index: ExactDataIndex
        do {
            index = try ExactDataIndex(bytes: built.bytes, keys: keys)
        } catch let error {
            Fuzz.check(false, "a built index does not load: \(error)")
            return
        }
        Fuzz.check(index.rowCount == built.report.rows && index.entryCount == built.report.cells, "counts differ from the build report")
        for value in values {
            for column in columns {
                guard let normal = Normaliser.normalise(value, as: column.type), normal.count >= 8 else { continue }
                // Column names are in the header by design; the rest must hold no value.
                let headerSize = Int(built.bytes[12]) | Int(built.bytes[13]) << 8 | Int(built.bytes[14]) << 16
                Fuzz.check(!contains(Array(built.bytes[headerSize...]), normal), "a normalised value is in the index")
            }
        }
        if let matcher = try? ExactDataMatcher(index: index, keys: keys, settings: MatchSettings(
            primary: [columns[0].name], corroborate: columns.dropFirst().map(\.name), minCorroborating: size % 3, window: 100)) {
            for match in matcher.matches(in: buffer) {
                for span in match.spans {
                    Fuzz.check(span.range.lowerBound >= 0 && span.range.upperBound <= buffer.count && !span.range.isEmpty, "span out of bounds")
                }
            }
        }
        if built.bytes.count > 64 {
            var flipped = built.bytes
            flipped[size % flipped.count] ^= 0x01
            Fuzz.check((try? ExactDataIndex(bytes: flipped, keys: keys)) == nil, "a flipped byte was not detected")
        }
    }
    return 0
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}
