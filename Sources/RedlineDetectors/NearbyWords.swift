/// Small word lists looked up right around a candidate, inside a refiner: the labels that tell a
/// device serial, a parcel or a bank account from a card (ASCII, case-insensitive, whole words).
enum NearbyWords {
    static func list(_ words: [String]) -> [[UInt8]] { words.map { Array($0.utf8) } }

    /// The end offset of the last of `words` that lies wholly inside `range`, if any.
    static func lastEnd(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ words: [[UInt8]]) -> Int? {
        var best: Int?
        let low = max(0, range.lowerBound)
        let high = min(text.count, range.upperBound)
        guard low < high else { return nil }
        for word in words where word.count <= high - low {
            var position = low
            while position + word.count <= high {
                if lower(text[position]) == word[0], !(position > 0 && isWordByte(text[position - 1])) {
                    var offset = 1
                    while offset < word.count, lower(text[position + offset]) == word[offset] { offset += 1 }
                    let end = position + word.count
                    if offset == word.count, !(end < text.count && isWordByte(text[end])), end > (best ?? -1) { best = end }
                }
                position += 1
            }
        }
        return best
    }

    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ words: [[UInt8]]) -> Bool {
        lastEnd(text, range, words) != nil
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool { UKFormats.isAlnum(byte) }

    static let cardWords = list(["card", "visa", "mastercard", "amex", "debit", "credit", "maestro", "pan"])
    static let deviceSerialWords = list(["imei", "serial", "serial no", "s/n", "device", "meid"])
    static let handsetWords = list(["phone", "handset", "mobile", "smartphone", "tablet"])
    static let bankWords = list(["sort code", "sortcode", "s/c", "account number", "account no", "acc no", "a/c", "bank details"])
    static let parcelWords = list(["dpd", "parcel", "tracking", "consignment", "courier", "shipment", "dhl", "evri", "hermes", "royal mail", "ups", "waybill"])
}

/// 15-digit IMEIs (device identities; Luhn check digit like a card) written where a card number
/// could be.
enum DeviceNumbers {
    /// Whether the 15 digits at `range` read as an IMEI: an IMEI / serial / device word within 40
    /// bytes before (with no card word after it) or 20 after; or a type allocation code from the
    /// GSMA's `35` / `86` reporting bodies with a handset word within 60 bytes before.
    static func isIMEI(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, digits: [UInt8]) -> Bool {
        guard digits.count == 15 else { return false }
        let before = (range.lowerBound - 40)..<range.lowerBound
        if let end = NearbyWords.lastEnd(text, before, NearbyWords.deviceSerialWords),
           !NearbyWords.contains(text, end..<range.lowerBound, NearbyWords.cardWords) { return true }
        if NearbyWords.contains(text, range.upperBound..<(range.upperBound + 20), NearbyWords.deviceSerialWords) { return true }
        let tac = (digits[0], digits[1])
        if tac == (51, 53) || tac == (56, 54) {
            return NearbyWords.contains(text, (range.lowerBound - 60)..<range.lowerBound, NearbyWords.handsetWords)
        }
        return false
    }
}

/// When an NHS number counts without its keyword (at one confidence level lower): it does not
/// start with 0 (phone numbers do; issued NHS numbers do not), no other label (order, reference,
/// parcel, phone…) stands just before it, and either it is written 3-3-4 with separators or the
/// message around it (2 KB each side) is about health (prescription, GP, surgery, pharmacy…).
enum NHSContext {
    static let otherLabels = NearbyWords.list(["order", "ref", "reference", "invoice", "parcel", "tracking", "booking", "account", "acc",
                                               "phone", "tel", "call", "mobile", "ticket", "case", "policy", "customer", "membership",
                                               "serial", "imei", "utr", "vat", "passport", "transaction", "receipt", "claim"])
    static let healthWords = NearbyWords.list(["nhs", "prescription", "prescriptions", "gp", "surgery", "pharmacy", "pharmacist", "patient",
                                               "hospital", "clinic", "doctor", "nurse", "medication", "medicine", "health"])
    static let messageReach = 2048

    static func standsAlone(_ text: UnsafeBufferPointer<UInt8>, _ match: Range<Int>, _ digits: [UInt8]) -> Bool {
        guard digits.first != 48 else { return false }
        if let label = NearbyWords.lastEnd(text, (match.lowerBound - 30)..<match.lowerBound, otherLabels),
           !NearbyWords.contains(text, label..<match.lowerBound, healthWords) { return false }
        if match.count > 10 { return true }
        return NearbyWords.contains(text, (match.lowerBound - messageReach)..<(match.upperBound + messageReach), healthWords)
    }
}
