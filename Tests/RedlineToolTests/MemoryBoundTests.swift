import Foundation
import Testing

/// Issue 15 group 5: a large HTML attribute or a single large header is read in about twice its
/// size (the message, and the text read from it: no copy of the part, of the unfolded value or of
/// the decoded value besides), and so is an HTML attribute that `redact` rewrites (the redacted
/// message is written patch by patch, never built whole); a JSON Lines record whose text is one
/// long string is scanned where it lies, in windows (about its own size). Peak RSS above
/// start-up, measured with /usr/bin/time on the binary.
@Suite("Memory of one large HTML attribute, header or JSON Lines value", .serialized)
struct MemoryBoundTests {
    static let size = 16 * 1024 * 1024

    /// Peak RSS in KiB of `redline ARGUMENTS FILE` (by default `check --input eml FILE`).
    static func peak(_ path: String, _ arguments: [String] = ["check", "--input", "eml"]) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "/usr/bin/time -f 'peak_kb=%M' \"$0\" \"$@\" > /dev/null", Redline.binary] + arguments + [path]
        process.environment = [:]
        let err = Pipe()
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return stderr.split(separator: "\n").first { $0.hasPrefix("peak_kb=") }.flatMap { Int($0.dropFirst(8)) } ?? Int.max
    }

    static func filler(_ count: Int) -> String {
        let word = "lorem ipsum dolor sit amet "
        return String(String(repeating: word, count: count / word.count + 1).prefix(count))
    }

    @Test("a 16 MiB HTML attribute and a 16 MiB folded header each take about twice their size above start-up (at most 2.1×)")
    func attributeAndHeader() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            Issue.record("/usr/bin/time is missing: make test installs it (apt package 'time')")
            return
        }
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = "From: a@example.com\nTo: b@example.org\nMIME-Version: 1.0\n"
        let small = try Redline.write(head + "Subject: x\n\nhello\n", to: dir, name: "small.eml")
        let body = Self.filler(Self.size)
        let attribute = try Redline.write(head + "Subject: x\nContent-Type: text/html; charset=utf-8\n\n<p>Hello</p><a title=\"" + body
                                          + "\" href=\"https://example.com/\">link</a>\n", to: dir, name: "attribute.eml")
        var folded = ""
        folded.reserveCapacity(Self.size + Self.size / 38)
        var index = body.startIndex
        while index < body.endIndex {
            let next = body.index(index, offsetBy: 76, limitedBy: body.endIndex) ?? body.endIndex
            if index != body.startIndex { folded += "\n " }
            folded += body[index..<next]
            index = next
        }
        let header = try Redline.write(head + "Subject: " + folded + "\n\nhello\n", to: dir, name: "header.eml")
        let base = try Self.peak(small)
        for (name, path) in [("HTML attribute", attribute), ("header", header)] {
            let used = try Self.peak(path) - base
            let ratio = Double(used) / Double(Self.size / 1024)
            print("issue 15 group 5: \(name) of 16 MiB: \(used / 1024) MiB above start-up, \(String(format: "%.2f", ratio))× its size")
            #expect(ratio < 2.1, "\(name): \(ratio)× its size")
        }
    }

    @Test("redact of a 16 MiB HTML attribute holding a card takes about twice its size above start-up (at most 2.1×), and the card is redacted")
    func rewrittenAttribute() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            Issue.record("/usr/bin/time is missing: make test installs it (apt package 'time')")
            return
        }
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = "From: a@example.com\nTo: b@example.org\nMIME-Version: 1.0\n"
        let small = try Redline.write(head + "Subject: x\n\nhello\n", to: dir, name: "small.eml")
        let half = Self.filler(Self.size / 2)
        let message = head + "Subject: x\nContent-Type: text/html; charset=utf-8\n\n<p>Hello</p><a title=\"" + half
            + " card 4539 1488 0343 6467 " + half + "\" href=\"https://example.com/\">link</a>\n"
        let attribute = try Redline.write(message, to: dir, name: "attribute.eml")
        let redact = ["redact", "--input", "eml"]
        let used = try Self.peak(attribute, redact) - Self.peak(small, redact)
        let ratio = Double(used) / Double(Self.size / 1024)
        print("issue 15 group 5: redact of an HTML attribute of 16 MiB: \(used / 1024) MiB above start-up, \(String(format: "%.2f", ratio))× its size")
        #expect(ratio < 2.1, "redacted HTML attribute: \(ratio)× its size")
        // What is written is the message with the card replaced and every other byte kept.
        let output = try Redline.run(redact + [attribute])
        #expect(output.stdout.firstRange(of: Array("4539 1488 0343 6467".utf8)) == nil)
        let body = output.stdout.firstRange(of: Array("<p>Hello</p>".utf8)).map { output.stdout[$0.lowerBound...] } ?? []
        #expect(body.starts(with: Array(("<p>Hello</p><a title=\"" + half + " card ").utf8)))
        #expect(body.reversed().starts(with: Array((" " + half + "\" href=\"https://example.com/\">link</a>\n").utf8).reversed()))
    }

    @Test("scan of a JSON Lines record whose text is one 16 MiB string takes about its own size above start-up (at most 1.5×)")
    func longJSONLinesValue() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            Issue.record("/usr/bin/time is missing: make test installs it (apt package 'time')")
            return
        }
        let dir = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = try Redline.write(#"{"id":"r1","channel":"email","text":"hello"}"# + "\n", to: dir, name: "small.jsonl")
        let body = Self.filler(Self.size / 2) + " NI JG 10 37 55 A " + Self.filler(Self.size / 2)
        let big = try Redline.write(#"{"id":"r1","channel":"email","text":""# + body + "\"}\n", to: dir, name: "big.jsonl")
        for arguments in [["scan", "--format", "json", "--output", dir + "/report.json"], ["check", "--input", "jsonl"]] {
            let used = try Self.peak(big, arguments) - Self.peak(small, arguments)
            let ratio = Double(used) / Double(Self.size / 1024)
            print("issue 15 group 5: \(arguments[0]) of a 16 MiB JSON Lines text value: \(used / 1024) MiB above start-up, \(String(format: "%.2f", ratio))× its size")
            #expect(ratio < 1.5, "\(arguments[0]): \(ratio)× its size")
        }
        // Not vacuous: the NI number in the middle of the value is found.
        let output = try Redline.run(["check", "--input", "jsonl", "--format", "jsonl", big])
        #expect(output.out.contains("\"detector\":\"nino\""))
    }
}
