/// One detection in a text. It holds spans and a masked excerpt, never the matched text itself.
public struct Finding: Sendable, Hashable {
    /// The policy's detector id (e.g. `card`).
    public var detector: String
    /// The built-in kind (e.g. `payment_card`).
    public var kind: String
    /// UTF-8 byte range in the original text.
    public var start: Int
    public var end: Int
    /// 1-based line and column (column counted in Unicode scalars) of `start`.
    public var line: Int
    public var column: Int
    /// Unicode-scalar offsets of the range in the original text.
    public var scalarStart: Int
    public var scalarEnd: Int
    public var confidence: Confidence
    /// The value is a published test value (e.g. a processor's sandbox card number).
    public var isTestValue: Bool
    /// Masked rendering of the match (e.g. `**** **** **** 1111`): safe to print.
    public var excerpt: String
    /// Keyed HMAC of detector and normalised value (hex); empty when no key was given.
    public var valueHash: String
    /// Rule that decided this finding (nil when no rule applies: action `allow`).
    public var rule: String?
    public var action: Action
    /// Where the text came from inside a larger input (e.g. MIME part "1.2", header "Subject").
    public var part: String?
    /// `exact_data`: the index column this span matched (a column name, never a value); its
    /// `valueHash` is then the keyed fingerprint of the row, shared by every span of that row.
    public var dataColumn: String?
    /// The rule whose action an allowed override lowered for this finding (its `action` is then
    /// the override's `becomes`, or a stricter rule's that still applies); nil otherwise.
    public var overriddenRule: String?
    /// The action that rule would have taken without the override.
    public var overriddenAction: Action?

    public init(detector: String, kind: String, start: Int, end: Int, line: Int = 1, column: Int = 1,
                scalarStart: Int = 0, scalarEnd: Int = 0, confidence: Confidence, isTestValue: Bool = false,
                excerpt: String, valueHash: String = "", rule: String? = nil, action: Action = .allow, part: String? = nil,
                dataColumn: String? = nil) {
        self.detector = detector
        self.kind = kind
        self.start = start
        self.end = end
        self.line = line
        self.column = column
        self.scalarStart = scalarStart
        self.scalarEnd = scalarEnd
        self.confidence = confidence
        self.isTestValue = isTestValue
        self.excerpt = excerpt
        self.valueHash = valueHash
        self.rule = rule
        self.action = action
        self.part = part
        self.dataColumn = dataColumn
    }
}
