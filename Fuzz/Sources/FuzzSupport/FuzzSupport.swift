import Foundation
import RedlineCore
import RedlineEngine

/// Shared helpers for the fuzz targets: invariant checks that abort with a message (libFuzzer
/// then saves the input as a crash), and the policies the targets run.
public enum Fuzz {
    /// Stops the run with `message` when `condition` is false.
    public static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                             file: StaticString = #fileID, line: UInt = #line) {
        if !condition() {
            FileHandle.standardError.write(Data("invariant failed (\(file):\(line)): \(message())\n".utf8))
            abort()
        }
    }

    /// Whether `bytes` is well-formed UTF-8.
    public static func isValidUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Whether `offset` is a UTF-8 character boundary of valid UTF-8 `bytes`.
    public static func isBoundary(_ bytes: [UInt8], _ offset: Int) -> Bool {
        offset == bytes.count || (offset >= 0 && offset < bytes.count && bytes[offset] & 0xC0 != 0x80)
    }

    /// The embedded uk-default policy, compiled once.
    public static let defaultPipeline: Pipeline = {
        do { return try PolicySource.embeddedDefault.compile() } catch { fatalError("embedded policy: \(error)") }
    }()

    /// A policy with every redaction style, custom regexes (one catastrophic, bounded by a small
    /// match limit) and a keyed hash, to reach the code paths the default policy does not. The
    /// custom patterns start and end at word boundaries: a pattern that matches inside a token
    /// can, once replaced, leave digits that now stand alone and form a new number, so redacting
    /// twice is only stable for token-bounded patterns (found by this target; see the README).
    public static let stylesPipeline: Pipeline = {
        let yaml = """
        version: 1
        name: fuzz-styles
        settings: { on_detector_error: strictest, match_limit: 20000 }
        detectors:
          card: { kind: payment_card, redaction: mask }
          nino: { kind: uk_nino, redaction: hash }
          nhs: { kind: nhs_number }
          phone: { kind: uk_phone, redaction: remove }
          postcode: { kind: uk_postcode, redaction: label, label: "[PC]" }
          iban: { kind: iban, redaction: mask }
          bank: { kind: uk_bank_account }
          email: { kind: email, redaction: hash }
          order: { kind: regex, pattern: '\\bORD-[0-9]{4,8}\\b', flags: [case_insensitive], validator: luhn }
          evil: { kind: regex, pattern: '\\b(a+)+$', redaction: remove }
          wide: { kind: regex, pattern: '\\b\\p{Lu}{3}\\d{2}\\b', flags: [unicode] }
        channels:
          chat: { encrypted: false, external: true }
        default_channel: chat
        rules:
          - { id: redact-all, detectors: "*", channels: "*", action: redact }
          - { id: block-card, detectors: [card], channels: "*", action: block }
        """
        do { return try Pipeline.compile(yaml: yaml, file: "fuzz.yaml", key: Array("fuzz-key".utf8)) } catch { fatalError("fuzz policy: \(error)") }
    }()
}
