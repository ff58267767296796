import Foundation
import Testing
import RedlineCore
import RedlineEngine

extension LabelledCorpus {
    /// Builds a sentence from parts: plain strings, or (kind, value) pairs that are planted items.
    /// A kind of "-" marks a hard negative: text that must not be detected.
    static func sample(_ parts: [Any]) -> Sample {
        var text: [UInt8] = []
        var planted: [Planted] = []
        for part in parts {
            if let (kind, value) = part as? (String, String) {
                let start = text.count
                text += Array(value.utf8)
                if kind != "-" { planted.append(Planted(kind: kind, range: start..<text.count)) }
            } else if let plain = part as? String {
                text += Array(plain.utf8)
            }
        }
        return Sample(text: text, planted: planted)
    }

    /// `count` positive sentences per detector and `count` hard-negative sentences per family.
    mutating func generate(count: Int) -> [Sample] {
        var samples: [Sample] = []
        for _ in 0..<count {
            let name = random.pick(Self.names).capitalized
            samples.append(Self.sample(random.pick([
                ["Hi \(name), I tried to pay with ", ("card", card()), " but it was declined."],
                ["My card number is ", ("card", card()), ", expiry ", ("card_expiry", "0\(random.int(1...9))/2\(random.int(6...9))"), ". Thanks"],
                ["Refund went back to ", ("card", card()), " on the 3rd, order ", ("-", luhnFailing16()), "."],
            ])))
            samples.append(Self.sample(random.pick([
                ["My national insurance number is ", ("nino", nino()), "."],
                ["NI no: ", ("nino", nino()), " - please update my record."],
                ["Please find the form for \(name) (NINO ", ("nino", nino()), ") attached."],
            ])))
            samples.append(Self.sample(random.pick([
                ["Her NHS number is ", ("nhs", nhs()), " and she is registered with Dr Patel."],
                ["Patient: \(name), NHS no ", ("nhs", nhs()), ", DOB ", ("date_of_birth", "0\(random.int(1...9))/05/1984"), "."],
            ])))
            samples.append(Self.sample(random.pick([
                ["Call me on ", ("phone", phone()), " after 6pm."],
                ["You can reach \(name) on ", ("phone", phone()), " or by email."],
                ["Mobile: ", ("phone", phone()), "\nThanks, \(name)"],
            ])))
            samples.append(Self.sample(random.pick([
                ["Please deliver to 14 Acacia Avenue, Leeds ", ("postcode", postcode()), "."],
                ["My new address is Flat 2, 8 High St, ", ("postcode", postcode()), ", from Monday."],
                ["Postcode ", ("postcode", postcode()), " please, it's a new build."],
            ])))
            samples.append(Self.sample(random.pick([
                ["Please refund to IBAN ", ("iban", iban()), " (BIC ", ("-", bic()), ")."],
                ["Bank: ", ("iban", iban()), " thanks."],
            ])))
            let (sort, account) = bank()
            samples.append(Self.sample(random.pick([
                ["Please refund to sort code ", ("bank", "\(sort), account \(account)"), " today."],
                ["My bank details: ", ("bank", "\(sort) \(account)"), "."],
                ["Sort code: ", ("bank", "\(sort), acc no \(account)"), "."],
            ])))
            samples.append(Self.sample(random.pick([
                ["Please email me at ", ("email", email()), " instead."],
                ["Contact: \(name) <", ("email", email()), ">"],
                ["I've changed my address to ", ("email", email()), "."],
            ])))
            // Hard negatives.
            samples.append(Self.sample(random.pick([
                ["Your order ", ("-", luhnFailing16()), " has shipped."],
                ["The IMEI of the handset is ", ("-", imei()), "."],
                ["Tracking: ", ("-", "\(random.pick(["AB", "RR", "JD"]))\(random.digits(9))GB"), ", due Tuesday."],
                ["Invoice INV-2024-", ("-", random.digits(6)), " for £1,\(random.digits(3)).\(random.digits(2))"],
            ])))
            samples.append(Self.sample(random.pick([
                ["Reference ", ("-", badNINO()), " is not valid."],
                ["Temporary number ", ("-", "TN \(random.digits(2)) \(random.digits(2)) \(random.digits(2)) \(random.pick(["M", "F"]))"), " closed."],
                ["TRN ", ("-", "\(random.digits(2)) A\(random.digits(1)) \(random.digits(2)) \(random.digits(2))"), " paid."],
            ])))
            samples.append(Self.sample(random.pick([
                ["Product code ", ("-", productCode()), " is out of stock."],
                ["Booked for \(random.int(10...28))-0\(random.int(1...9))-24, ticket ", ("-", random.digits(8)), "."],
                ["Call our US office on ", ("-", foreignPhone()), "."],
                ["Version ", ("-", "\(random.int(1...9)).\(random.int(0...20)).\(random.int(0...99))"), " at 10:\(random.int(10...59)) on 2024-0\(random.int(1...9))-1\(random.int(0...9))."],
                ["Parcel ", ("-", "\(random.digits(3)) \(random.digits(3)) \(random.digits(4))"), " is on its way."],
                ["Our BIC is ", ("-", bic()), "; see logo@2x.png."],
            ])))
        }
        return samples
    }
}

@Suite("Precision and recall on a generated labelled corpus")
struct PrecisionRecallTests {
    static let oldKinds = ["card", "nino", "nhs", "phone", "postcode", "iban", "bank", "email"]
    static let newKinds = ["date_of_birth", "uk_driving_licence", "uk_passport", "uk_utr", "uk_vat", "card_security_code", "card_expiry"]

    /// The simple test policy plus the new kinds, each under its kind name (as in uk-default).
    static var policy: String {
        TestPolicy.simple(detectors: newKinds.map { "  \($0): { kind: \($0) }" }.joined(separator: "\n"))
    }

    /// Exact-span scoring: a finding counts only when its detector and its byte range are exactly
    /// those of a planted item; anything else is a false positive, and a planted item not found
    /// exactly is a false negative.
    @Test("exact-span F1 is at least 0.99 for every original kind and 0.97 for every kind added in issue 14")
    func exactSpanF1() throws {
        var corpus = LabelledCorpus(seed: 20_261_125)
        var samples = corpus.generate(count: 300)
        for _ in 0..<300 { samples += corpus.newKindSamples() }
        for _ in 0..<300 { samples += corpus.emailSamples() }
        for _ in 0..<300 { samples += corpus.joinedSamples() }
        let pipeline = try TestPolicy.pipeline(Self.policy)
        let session = pipeline.makeSession()
        var truePositives: [String: Int] = [:], falseNegatives: [String: Int] = [:], falsePositives: [String: Int] = [:]
        let debug = ProcessInfo.processInfo.environment["REDLINE_PR_DEBUG"] != nil
        for sample in samples {
            let findings = session.scan(sample.text, channel: "chat").findings
            for item in sample.planted {
                if findings.contains(where: { $0.detector == item.kind && $0.start == item.range.lowerBound && $0.end == item.range.upperBound }) {
                    truePositives[item.kind, default: 0] += 1
                } else {
                    falseNegatives[item.kind, default: 0] += 1
                    if debug { print("PR| FN \(item.kind): \(String(decoding: sample.text, as: UTF8.self).debugDescription)") }
                }
            }
            for finding in findings where !sample.planted.contains(where: { $0.kind == finding.detector && $0.range == finding.start..<finding.end }) {
                falsePositives[finding.detector, default: 0] += 1
                if debug { print("PR| FP \(finding.detector) \(finding.start)..<\(finding.end): \(String(decoding: sample.text, as: UTF8.self).debugDescription)") }
            }
        }
        let planted = samples.reduce(0) { $0 + $1.planted.count }
        print("PR| corpus: \(samples.count) sentences, \(planted) planted items, seed 20261125, exact spans")
        print("PR| detector            planted    TP    FN    FP  precision  recall     F1")
        for kind in Self.oldKinds + Self.newKinds {
            let tp = truePositives[kind] ?? 0, fn = falseNegatives[kind] ?? 0, fp = falsePositives[kind] ?? 0
            let precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
            let recall = tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            let cells = [String(tp + fn), String(tp), String(fn), String(fp)].map { $0.leftPadded(to: 5) }
            print("PR| " + kind.padding(toLength: 18, withPad: " ", startingAt: 0) + "  " + cells.joined(separator: " ")
                  + "      " + String(format: "%.3f    %.3f  %.3f", precision, recall, f1))
            #expect(tp + fn >= 100, "\(kind) has too few planted items: \(tp + fn)")
            #expect(f1 >= (Self.oldKinds.contains(kind) ? 0.99 : 0.97), "\(kind) exact-span F1 \(f1)")
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
