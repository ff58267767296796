import FuzzSupport
import RedlineEngine
import RedlineFormats

// The JSON Lines record parser and rewriter. Invariants: member ranges lie inside the line;
// replacing a string member with its own decoded value gives a line that parses to the same
// members and the same decoded value when it is valid UTF-8 (the encoder and decoder agree);
// other members' bytes are kept exactly.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let line = try? JSONLine(bytes) else { return 0 }
    for member in line.members {
        Fuzz.check(member.value.lowerBound >= 0 && member.value.upperBound <= bytes.count && !member.value.isEmpty,
                   "member '\(member.key)' at \(member.value) in \(bytes.count) bytes")
        _ = line.text(member.key)
    }
    for member in line.members where line.member(member.key)?.value == member.value {
        // Invalid UTF-8 is re-encoded as U+FFFD by design (JSON text is UTF-8): only valid values round-trip.
        guard let decoded = line.string(member.key), Fuzz.isValidUTF8(decoded) else { continue }
        let rewritten = line.replacing(member.key, withString: decoded)
        guard let reparsed = try? JSONLine(rewritten) else {
            Fuzz.check(false, "rewriting '\(member.key)' with its own value broke the line")
            return 0
        }
        Fuzz.check(reparsed.members.map(\.key) == line.members.map(\.key), "rewriting changed the member names")
        Fuzz.check(reparsed.string(member.key) == decoded, "the rewritten value decodes differently")
        for other in line.members where other.key != member.key {
            if let again = reparsed.member(other.key), line.member(other.key)?.value == other.value {
                Fuzz.check(Array(reparsed.bytes[again.value]) == Array(bytes[other.value]), "member '\(other.key)' changed")
            }
        }
    }
    return 0
}
