import FuzzSupport
import RedlineCore
import RedlineEngine

// The policy loader and compiler on arbitrary text: either a pipeline or diagnostics, never a
// crash or a hang; every diagnostic is an error or warning with a 1-based position.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let yaml = String(decoding: bytes, as: UTF8.self)
    do {
        let pipeline = try Pipeline.compile(yaml: yaml, file: "fuzz.yaml", key: Array("k".utf8))
        // A policy that compiles must scan.
        let session = pipeline.makeSession()
        let result = session.scan(Array("Card 4111 1111 1111 1111, NI AB123456C, aaaaaaaaaaaaaaaaaaaaaaaa!".utf8),
                                  channel: pipeline.rules.defaultChannel)
        _ = pipeline.redact(Array("x".utf8), findings: result.findings.filter { $0.end <= 1 })
    } catch {
        Fuzz.check(!error.diagnostics.isEmpty, "a policy was rejected without a diagnostic")
        for diagnostic in error.diagnostics {
            if let location = diagnostic.location {
                Fuzz.check(location.line >= 1 && location.column >= 1, "diagnostic at \(location.line):\(location.column)")
            }
        }
    }
    return 0
}
