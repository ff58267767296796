import Foundation
import FuzzSupport
import RedlineExtract

// The container readers (ZIP through ZIPFoundation, gzip, PDF through poppler, and whatever the
// content sniffing sends them to) on arbitrary bytes, with small bounds so that each input is
// fast. Invariants: no crash or hang; every document has a path and sorted segments inside its
// text; every problem names a code.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(UnsafeBufferPointer(start: $0, count: size)) } ?? Data()
    var limits = ExtractLimits()
    limits.expandedBytes = 8 << 20
    limits.seconds = 5
    let extractor = Extractor(limits: limits)
    let problems = extractor.extract(bytes, name: "input") { document in
        Fuzz.check(!document.path.isEmpty, "a document without a path")
        var last = 0
        for segment in document.segments {
            Fuzz.check(segment.start >= last && segment.start < segment.end && segment.end <= document.text.count,
                       "segment \(segment.start)..<\(segment.end) out of order or outside \(document.text.count) bytes")
            last = segment.end
        }
    }
    for problem in problems {
        Fuzz.check(problem.code.hasPrefix("X") && problem.code.count == 4, "problem without a code: \(problem)")
    }
    return 0
}
