/// What a rule does with a finding. Ordered from least to most restrictive:
/// `allow` < `flag` < `redact` < `block`.
public enum Action: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible, Codable {
    case allow = 0
    case flag = 1
    case redact = 2
    case block = 3

    public static func < (lhs: Action, rhs: Action) -> Bool { lhs.rawValue < rhs.rawValue }

    public init?(name: String) {
        switch name {
        case "allow": self = .allow
        case "flag": self = .flag
        case "redact": self = .redact
        case "block": self = .block
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .allow: "allow"
        case .flag: "flag"
        case .redact: "redact"
        case .block: "block"
        }
    }

    public var description: String { name }
}

/// How sure a detector is that a finding is what it says.
public enum Confidence: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case low = 0
    case medium = 1
    case high = 2

    public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rawValue < rhs.rawValue }

    public init?(name: String) {
        switch name {
        case "low": self = .low
        case "medium": self = .medium
        case "high": self = .high
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        }
    }

    public var description: String { name }

    /// One level up, saturating at `high`.
    public var raised: Confidence { Confidence(rawValue: min(rawValue + 1, 2))! }
}
