import Crypto

/// The keys an index uses, all derived from the user's key (`--key-file` / `REDLINE_KEY`) with
/// HMAC-SHA256 over a fixed label, so one secret serves every purpose and none is reused:
/// - the key identifier written into the index (a wrong key is an error at load, not silently
///   zero findings);
/// - the SipHash-2-4 key of the cell fingerprints;
/// - the SipHash-2-4 key of the row fingerprints that findings carry.
public struct EDMKeys: Sendable {
    /// First 16 bytes of HMAC-SHA256(key, "redline-edm key-id v1").
    public let keyID: [UInt8]
    public let cells: SipHash24
    public let rows: SipHash24

    public init(key: [UInt8]) {
        func derive(_ label: String) -> [UInt8] {
            let mac = HMAC<SHA256>.authenticationCode(for: Array(label.utf8), using: SymmetricKey(data: key))
            return Array(mac)
        }
        keyID = Array(derive("redline-edm key-id v1").prefix(16))
        cells = EDMKeys.sip(derive("redline-edm cell fingerprint v1"))
        rows = EDMKeys.sip(derive("redline-edm row fingerprint v1"))
    }

    private static func sip(_ bytes: [UInt8]) -> SipHash24 {
        func word(_ at: Int) -> UInt64 {
            var value: UInt64 = 0
            for j in 0..<8 { value |= UInt64(bytes[at + j]) << UInt64(8 * j) }
            return value
        }
        return SipHash24(k0: word(0), k1: word(8))
    }

    /// The fingerprint of one normalised value of a column type.
    @inline(__always)
    public func fingerprint(_ type: ColumnType, _ normalised: UnsafeBufferPointer<UInt8>) -> UInt64 {
        cells.hash(tag: type.tag, normalised)
    }

    public func fingerprint(_ type: ColumnType, _ normalised: [UInt8]) -> UInt64 {
        normalised.withUnsafeBufferPointer { fingerprint(type, $0) }
    }
}

/// How a column's values are normalised (identically when the index is built and when text is
/// scanned). See ``Normaliser``.
public enum ColumnType: String, Sendable, CaseIterable, Hashable {
    case name, email, phone, postcode, date, digits, text

    /// The byte that separates this type's fingerprints from the other types'.
    public var tag: UInt8 {
        switch self {
        case .name: 1
        case .email: 2
        case .phone: 3
        case .postcode: 4
        case .date: 5
        case .digits: 6
        case .text: 7
        }
    }

    public init?(tag: UInt8) {
        guard let found = ColumnType.allCases.first(where: { $0.tag == tag }) else { return nil }
        self = found
    }

    /// Name and free text are matched as token sequences (up to the longest indexed value).
    public var isTokenSequence: Bool { self == .name || self == .text }
}

/// A problem with an EDM index or its input, as a value. Messages never hold a cell value.
public struct EDMError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notUTF8, noHeader, unknownColumn, duplicateHeader, badColumns, fieldCount, tooLarge
        case unreadable, writeFailed, notAnIndex, newerVersion, corrupt, wrongKey, noKey
    }
    public var code: Code
    public var message: String
    /// The file the problem is in, and its 1-based line when it has one.
    public var file: String?
    public var line: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// `file:line: error: message` (the line omitted when unknown).
    public var description: String {
        var head = ""
        if let file { head = line.map { "\(file):\($0): " } ?? "\(file): " }
        return "\(head)error: \(message)"
    }
}
