import Crypto
import Foundation

/// A scan baseline: the keyed fingerprints of findings already known, so later scans report only
/// new ones. Holds no key and no raw or unkeyed-hashed value: each fingerprint is
/// HMAC-SHA256(key, detector ‖ keyed value hash ‖ source identity).
///
/// File format (JSON): `{"schema":"redline.baseline/1","key_check":"<hex>","policy_sha256":"…",
/// "count":N,"fingerprints":["<hex>",…]}` with fingerprints sorted. `key_check` is an HMAC of a
/// fixed label: it tells a wrong key from no matches without revealing the key.
public struct Baseline: Sendable, Equatable {
    public var fingerprints: Set<String>
    public var keyCheck: String
    public var policySHA256: String

    public static let schema = "redline.baseline/1"

    public init(fingerprints: Set<String>, key: [UInt8], policySHA256: String) {
        self.fingerprints = fingerprints
        self.keyCheck = Baseline.keyCheck(key)
        self.policySHA256 = policySHA256
    }

    static func keyCheck(_ key: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: Array("redline.baseline/1 key check".utf8), using: SymmetricKey(data: key))
            .prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads a baseline and checks it was written with `key`.
    public static func load(_ path: String, key: [UInt8]) throws -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read baseline \(path)") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["schema"] as? String == schema, let list = object["fingerprints"] as? [String],
              let check = object["key_check"] as? String else {
            throw ToolError("\(path) is not a redline baseline (schema \(schema))")
        }
        guard check == keyCheck(key) else {
            throw ToolError("baseline \(path) was written with a different key (--key-file / REDLINE_KEY); its fingerprints cannot match")
        }
        var baseline = Baseline(fingerprints: Set(list), key: key, policySHA256: object["policy_sha256"] as? String ?? "")
        baseline.keyCheck = check
        return baseline
    }

    /// The file's text: stable (sorted) so that baselines diff well in git.
    public func encoded() -> String {
        let list = fingerprints.sorted().map { "    \"\($0)\"" }.joined(separator: ",\n")
        return "{\n  \"schema\": \"\(Baseline.schema)\",\n  \"key_check\": \"\(keyCheck)\",\n  \"policy_sha256\": \"\(policySHA256)\",\n"
            + "  \"count\": \(fingerprints.count),\n  \"fingerprints\": [\n\(list)\n  ]\n}\n"
    }
}
