import FuzzSupport
import RedlineEngine
import RedlineFormats

// The JSON Lines record parser and rewriter. Invariants: member ranges lie inside the line;
// replacing a string member with its own decoded value gives a line that parses to the same
// members and the same decoded value when it is valid UTF-8 (the encoder and decoder agree);
// other members' bytes are kept exactly. The in-place reader `check` uses (`JSONLine.locate`,
// `JSONString.decode(_:into:)`) accepts and rejects exactly what the copying parser does and
// finds the same members with the same decoded values.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let parsed = try? JSONLine(bytes)
    // The in-place reader, asked for the first three names and one that is rarely there.
    let names = (parsed?.members.prefix(3).map { Array($0.key.utf8) } ?? []) + [Array("text".utf8)]
    let located = try? bytes.withUnsafeBufferPointer { try JSONLine.locate(names, in: $0) }
    Fuzz.check((located == nil) == (parsed == nil), "locate and the parser disagree on whether the line is an object")
    if let parsed, let located {
        for (index, name) in names.enumerated() {
            let member = parsed.member(String(decoding: name, as: UTF8.self))
            // A name that is not valid UTF-8 cannot be looked up by String; skip it.
            guard String(decoding: name, as: UTF8.self).utf8.elementsEqual(name) else { continue }
            Fuzz.check(located[index] == member?.value, "locate found another member for name \(index)")
            if let range = located[index], bytes[range.lowerBound] == UInt8(ascii: "\"") {
                var decoded: [UInt8] = [1, 2, 3]
                decoded.removeAll(keepingCapacity: true)
                bytes.withUnsafeBufferPointer { JSONString.decode(UnsafeBufferPointer(rebasing: $0[range]), into: &decoded) }
                Fuzz.check(decoded == JSONString.decode(bytes[range]), "decoding in place differs")
            }
        }
    }
    guard let line = parsed else { return 0 }
    // Every value (`--all-fields`) and every occurrence of a name: ranges inside the line, paths
    // rooted at their member; rewriting them all with their own text keeps a parsable line with
    // the same values.
    let scalars = line.allScalars
    for scalar in scalars {
        Fuzz.check(scalar.range.lowerBound >= 0 && scalar.range.upperBound <= bytes.count && !scalar.range.isEmpty, "scalar \(scalar.path) at \(scalar.range)")
    }
    for member in line.members {
        let named = line.scalars(named: member.key)
        Fuzz.check(named.allSatisfy { $0.path == member.key || $0.path.hasPrefix(member.key + ".") || $0.path.hasPrefix(member.key + "[") },
                   "a value of '\(member.key)' has another path")
    }
    let texts = scalars.map { line.text(of: $0) }
    if texts.allSatisfy(Fuzz.isValidUTF8) {
        let rewritten = line.replacing(zip(scalars, texts).map { ($0.range, $1) })
        if let again = try? JSONLine(rewritten) {
            let values = again.allScalars.map { again.text(of: $0) }
            Fuzz.check(values == texts, "rewriting every value with itself changed a value")
        } else {
            Fuzz.check(false, "rewriting every value with itself broke the line")
        }
    }
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
