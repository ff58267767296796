import RedlineCore

/// The header fields that identify a message and place it in time, for bulk scans (baseline
/// fingerprints, audit records, reports over time). Reads only the top-level header section.
public struct MessageIdentity: Sendable, Equatable {
    /// The `Message-ID` without surrounding blanks (angle brackets kept), or nil when absent or empty.
    public var messageID: String?
    /// The calendar date of the `Date:` field as `yyyy-mm-dd` (the date as written, in the
    /// sender's zone), or nil when absent or unreadable.
    public var date: String?

    public init(messageID: String? = nil, date: String? = nil) {
        self.messageID = messageID
        self.date = date
    }

    /// Reads `Message-ID` and `Date` from `message`.
    public init(_ message: [UInt8]) {
        var diagnostics: [Diagnostic] = []
        let headers = HeaderParser.parse(message, range: 0..<message.count, label: "message", diagnostics: &diagnostics)
        if let field = headers.first("message-id") {
            let value = field.value(in: message).trimmingWhitespace()
            messageID = value.isEmpty ? nil : value
        }
        if let field = headers.first("date") { date = MessageIdentity.calendarDate(field.value(in: message)) }
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Tue, 3 Nov 2026 10:00:00 +0000` (RFC 5322, day name optional, obsolete forms tolerated)
    /// → `2026-11-03`.
    public static func calendarDate(_ value: String) -> String? {
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map { $0.lowercased() }
        for (index, word) in words.enumerated() where index >= 1 && index + 1 < words.count {
            guard let month = months.firstIndex(of: String(word.prefix(3))),
                  let day = Int(words[index - 1]), (1...31).contains(day),
                  var year = Int(words[index + 1]) else { continue }
            if year < 50 { year += 2000 } else if year < 1000 { year += 1900 }
            guard (1900...9999).contains(year) else { continue }
            return "\(year)-\(month < 9 ? "0" : "")\(month + 1)-\(day < 10 ? "0" : "")\(day)"
        }
        return nil
    }
}
