import Foundation
import Testing
@testable import RedlineTool

@Suite("Scan plan: walking folders and recognising inputs")
struct ScanPlanTests {
    @Test("walks a tree and recognises every input kind; skips hidden entries, tmp/ and unknown files")
    func walksEveryKind() throws {
        let root = try ScanFixture.archive()
        let plan = ScanPlan(roots: [root])
        let found = Dictionary(uniqueKeysWithValues: plan.units.map { (String($0.path.dropFirst(root.count + 1)), $0.mode) })
        #expect(found["mail/one.eml"] == .eml)
        #expect(found["mail/archive.mbox"] == .mbox)
        #expect(found["Maildir/cur/1700000001.M1P1.host:2,S"] == .eml)
        #expect(found["Maildir/new/1700000002.M2P2.host"] == .eml)
        #expect(found["Maildir/.Sent/cur/1700000003.M3P3.host:2,RS"] == .eml)
        #expect(found["chat/transcript.txt"] == .text)
        #expect(found["exports/tickets.jsonl"] == .jsonl)
        #expect(found["exports/replies.csv"] == .csv)
        #expect(found.count == 8)
        #expect(plan.skipped == 1)   // exports/blob.bin
        #expect(!found.keys.contains { $0.contains(".hidden") })
        #expect(plan.errors.isEmpty)
        #expect(plan.units.filter(\.inMaildir).allSatisfy { $0.folder.hasSuffix("Maildir") || $0.folder.hasSuffix(".Sent") })
    }

    @Test("the walk order is sorted and the same every time")
    func stableOrder() throws {
        let root = try ScanFixture.archive()
        let first = ScanPlan(roots: [root]).units.map(\.path)
        let second = ScanPlan(roots: [root]).units.map(\.path)
        #expect(first == second)
        let exports = first.filter { $0.contains("/exports/") }
        #expect(exports == exports.sorted())
    }

    @Test("include and exclude globs filter files and folders")
    func globs() throws {
        let root = try ScanFixture.archive()
        let onlyJSONL = ScanPlan(roots: [root], include: ["*.jsonl"])
        #expect(onlyJSONL.units.map(\.mode) == [.jsonl])
        let noMail = ScanPlan(roots: [root], exclude: ["mail", "Maildir"])
        #expect(!noMail.units.contains { $0.mode == .eml || $0.mode == .mbox })
        #expect(noMail.units.count == 3)
    }

    @Test("a missing root is an error, not a silent skip")
    func missingRoot() {
        let plan = ScanPlan(roots: ["/nonexistent/redline-scan"])
        #expect(plan.units.isEmpty)
        #expect(plan.errors.count == 1)
    }

    @Test("Maildir identity drops the flags and the cur/new folder")
    func maildirIdentity() {
        #expect(ScanWorker.maildirIdentity("box/cur/1700.M1.host:2,RS") == "box/1700.M1.host")
        #expect(ScanWorker.maildirIdentity("box/new/1700.M1.host") == "box/1700.M1.host")
    }

    @Test("Maildir identity agrees with Foundation's path functions on awkward paths", arguments: [
        "box/cur/1700.M1.host:2,RS", "/var/mail/box/new/m!2,S", "cur/m:2,", "/cur/m", "m:2,S", "/m", "a/b/c/d",
        "box/cur/x!2,a:2,b", "box/.Sent/cur/ü.host:2,", "./cur/m", "box/curious/m",
    ])
    func maildirIdentityMatchesFoundation(_ path: String) {
        var name = (path as NSString).lastPathComponent
        if let colon = name.range(of: ":2,") ?? name.range(of: "!2,") { name = String(name[..<colon.lowerBound]) }
        var folder = (path as NSString).deletingLastPathComponent
        let last = (folder as NSString).lastPathComponent
        if last == "cur" || last == "new" { folder = (folder as NSString).deletingLastPathComponent }
        #expect(ScanWorker.maildirIdentity(path) == ScanPlan.join(folder.isEmpty ? "." : folder, name))
    }
}
