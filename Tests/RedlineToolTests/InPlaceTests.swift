import Foundation
import Testing

/// Issue 15 group 6: `redact --in-place` never leaves the raw original behind another name.
@Suite("redact --in-place through links")
struct InPlaceTests {
    static let raw = "NI JG 10 37 55 A\n"
    static let redacted = "NI [NI NUMBER]\n"

    @Test("issue15_inPlaceSymlink: through a symbolic link the target is redacted and the link kept")
    func symbolicLink() throws {
        let dir = try Redline.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        let target = try Redline.write(Self.raw, to: dir + "/real", name: "draft.txt")
        let link = dir + "/link.txt"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real/draft.txt")
        let result = try Redline.run(["redact", "--in-place", link])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real/draft.txt", "the link is still a link")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == Self.redacted)
        #expect(try String(contentsOfFile: link, encoding: .utf8) == Self.redacted)
        // No temporary file left in either folder.
        for folder in [dir, dir + "/real"] {
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.contains("redline-") })
        }
    }

    @Test("issue15_inPlaceHardLink: a file with two names is refused with exit 2 and left as it was; no new file appears")
    func hardLink() throws {
        let dir = try Redline.temporaryDirectory()
        let first = try Redline.write(Self.raw, to: dir, name: "a.txt")
        let second = dir + "/b.txt"
        try FileManager.default.linkItem(atPath: first, toPath: second)
        let before = try FileManager.default.attributesOfItem(atPath: first)[.systemFileNumber] as? Int
        let result = try Redline.run(["redact", "--in-place", second])
        #expect(result.status == 2)
        #expect(result.stderr.contains("hard links"), "\(result.stderr)")
        #expect(!result.stderr.contains("JG"))
        // Both names still lead to the same, untouched file: nothing was split off.
        #expect(try FileManager.default.attributesOfItem(atPath: second)[.systemFileNumber] as? Int == before)
        #expect(try String(contentsOfFile: first, encoding: .utf8) == Self.raw)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a.txt", "b.txt"])
    }

    @Test("a dangling symbolic link is an error, exit 2, and nothing is created")
    func danglingLink() throws {
        let dir = try Redline.temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: "missing.txt")
        let result = try Redline.run(["redact", "--in-place", dir + "/link.txt"])
        #expect(result.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["link.txt"])
    }
}
