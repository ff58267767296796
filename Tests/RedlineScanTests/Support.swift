import Foundation
@testable import RedlineTool

/// Fixtures for scan tests: a temporary tree with every input kind.
enum ScanFixture {
    static let key = "scan-test-key-0123456789"
    /// A Luhn-valid test card number, a valid NI number.
    static let card = "4111 1111 1111 1111"
    static let nino = "AB 12 34 56 C"

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("redline-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @discardableResult
    static func write(_ text: String, _ directory: String, _ relative: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func message(id: String, to: String = "customer@example.com", date: String = "Tue, 3 Nov 2026 10:00:00 +0000", body: String) -> String {
        "From: agent@support.example\r\nTo: \(to)\r\nSubject: Your order\r\nMessage-ID: <\(id)@support.example>\r\nDate: \(date)\r\n\r\n\(body)\r\n"
    }

    /// A tree with .eml, mbox, Maildir (cur/new and a Maildir++ folder), .txt, .jsonl, .csv,
    /// an unrecognised file and a hidden one.
    static func archive() throws -> String {
        let root = try temporaryDirectory()
        try write(message(id: "eml-1", body: "Card \(card) as requested."), root, "mail/one.eml")
        let mbox = "From agent@support.example Tue Nov  3 10:00:00 2026\n" + message(id: "mbox-1", body: "NI \(nino) noted.").replacingOccurrences(of: "\r\n", with: "\n")
            + "\nFrom agent@support.example Wed Dec  2 10:00:00 2026\n" + message(id: "mbox-2", date: "Wed, 2 Dec 2026 10:00:00 +0000", body: "Nothing here.").replacingOccurrences(of: "\r\n", with: "\n")
        try write(mbox, root, "mail/archive.mbox")
        try write(message(id: "md-1", date: "Fri, 15 Jan 2027 09:00:00 +0000", body: "Your card \(card) is on file."), root, "Maildir/cur/1700000001.M1P1.host:2,S")
        try write(message(id: "md-2", body: "Thanks for your message."), root, "Maildir/new/1700000002.M2P2.host")
        try write(message(id: "md-3", body: "Card \(card) again."), root, "Maildir/.Sent/cur/1700000003.M3P3.host:2,RS")
        try FileManager.default.createDirectory(atPath: root + "/Maildir/tmp", withIntermediateDirectories: true)
        try write("Chat with customer\nagent: your card \(card) is blocked\n", root, "chat/transcript.txt")
        try write("{\"id\":\"t1\",\"text\":\"NI \(nino)\",\"channel\":\"chat\"}\n{\"id\":\"t2\",\"text\":\"hello\"}\n", root, "exports/tickets.jsonl")
        try write("id,text\nr1,\"Card \(card)\"\nr2,fine\n", root, "exports/replies.csv")
        try write("\u{0}\u{1}binary", root, "exports/blob.bin")
        try write("Card \(card)", root, ".hidden/secret.txt")
        return root
    }

    static func options(_ paths: [String], format: ScanFormat = .jsonl, output: String? = nil, jobs: Int = 1) -> ScanOptions {
        var options = ScanOptions()
        options.paths = paths
        options.policy = PolicyOptions(environment: ["REDLINE_KEY": key], directory: nil)
        options.format = format
        options.output = output
        options.jobs = jobs
        options.quiet = true
        return options
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
