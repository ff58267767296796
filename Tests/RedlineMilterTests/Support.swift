import Foundation
import RedlineCore
import RedlineEngine
@testable import RedlineMilter

enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let harnessPolicy = repository.appendingPathComponent("Examples/postfix/harness-policy.yaml").path

    static func pipeline(_ path: String = harnessPolicy) throws -> Pipeline {
        try PolicySource.file(path).compile()
    }

    /// The harness policy plus a flag rule for UK postcodes.
    static let flagPolicy = """
    version: 1
    name: flag-test
    detectors:
      postcode: { kind: uk_postcode, redaction: label, label: "[POSTCODE]" }
      card: { kind: payment_card, redaction: mask, test_numbers: count }
    channels:
      email-external: { encrypted: false, external: true }
    default_channel: email-external
    rules:
      - { id: postcode-flag, detectors: [postcode], channels: "*", action: flag }
      - { id: card-block, detectors: [card], channels: "*", action: block, message: "no cards: 100% sure" }
    """

    static func pipeline(yaml: String) throws -> Pipeline {
        try Pipeline.compile(yaml: yaml, file: "test.yaml", key: nil)
    }

    /// A deterministic generator (SplitMix64) so random splits are reproducible.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

/// Packets as Postfix 3.7 sends them for one message (macros included).
enum Postfix {
    static func optneg(version: UInt32 = 6, actions: UInt32 = 0x1FF, protocol: UInt32 = 0x1FFFFF) -> MilterFrame {
        MilterFrame("O", MilterSession.bytes(version) + MilterSession.bytes(actions) + MilterSession.bytes(`protocol`))
    }

    static func macros(_ stage: Character, _ pairs: [(String, String)]) -> MilterFrame {
        var data: [UInt8] = [stage.asciiValue!]
        for (name, value) in pairs { data += Array(name.utf8) + [0] + Array(value.utf8) + [0] }
        return MilterFrame("D", data)
    }

    static func strings(_ command: Character, _ values: [String]) -> MilterFrame {
        MilterFrame(command, values.flatMap { Array($0.utf8) + [0] })
    }

    static func connect() -> MilterFrame {
        MilterFrame("C", Array("[127.0.0.1]".utf8) + [0, UInt8(ascii: "4"), 0xC3, 0x50] + Array("127.0.0.1".utf8) + [0])
    }

    /// Everything from MAIL to end-of-message for `headers` and `body`, split in 65,535-byte chunks.
    static func message(queueID: String = "4ABCDE1234", sender: String = "<agent@sink.test>", recipients: [String] = ["<customer@sink.test>"],
                        headers: [(String, String)], body: String, auth: String? = nil) -> [MilterFrame] {
        var frames: [MilterFrame] = []
        var mailMacros = [("i", queueID), ("{mail_addr}", "agent@sink.test")]
        if let auth { mailMacros.append(("{auth_authen}", auth)) }
        frames.append(macros("M", mailMacros))
        frames.append(strings("M", [sender]))
        for recipient in recipients {
            frames.append(macros("R", [("i", queueID)]))
            frames.append(strings("R", [recipient]))
        }
        frames.append(macros("T", [("i", queueID)]))
        frames.append(MilterFrame("T"))
        for (name, value) in headers {
            frames.append(strings("L", [name, value]))
        }
        frames.append(macros("N", [("i", queueID)]))
        frames.append(MilterFrame("N"))
        let bytes = Array(body.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 65_535, bytes.count)
            frames.append(MilterFrame("B", Array(bytes[offset..<end])))
            offset = end
        }
        frames.append(macros("E", [("i", queueID)]))
        frames.append(MilterFrame("E"))
        return frames
    }

    static let cardMessage = message(headers: [("From", "agent@sink.test"), ("To", "customer@sink.test"), ("Subject", "your order")],
                                     body: "Hello,\r\nthe card 4111 1111 1111 1111 was charged.\r\n")
    static let ninoMessage = message(headers: [("From", "agent@sink.test"), ("To", "customer@sink.test"), ("Subject", "NI AB 12 34 56 C")],
                                     body: "Hello,\r\nyour NI number is AB 12 34 56 C.\r\n")
    static let cleanMessage = message(headers: [("From", "agent@sink.test"), ("To", "customer@sink.test"), ("Subject", "hello")],
                                      body: "Hello,\r\nthe card ending 1111 was charged.\r\n")
}

extension MilterFrame {
    var text: String { String(decoding: data, as: UTF8.self) }
}
