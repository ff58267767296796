import Foundation
import Testing

/// `redline redact` of a ZIP or gzip file (issue 13.3): the CSV and the spreadsheet inside are
/// redacted, the archive re-packed; Python's zipfile and gzip open the output.
@Suite("redact of archive files")
struct ArchiveRedactTests {
    static func python(_ arguments: [String]) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REDLINE_PYTHON"] ?? "/usr/bin/python3")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("redline redact export.zip: the CSV and the XLSX inside are redacted, other entries kept, zipfile reads it; check finds nothing left")
    func zipFile() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = directory + "/export.zip"
        let made = try Self.python(["-c", """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
            z.writestr("2026/tickets.csv", "ticket,customer,notes\\n1042,Alan Turing,NI number AB 12 34 56 C confirmed\\n")
            z.write(sys.argv[2], "account-summary.xlsx")
            z.writestr("readme.txt", "Nothing personal.\\n")
            z.close()
            """, archive, Redline.path("Examples/attachments/account-summary.xlsx")])
        #expect(made.status == 0, "\(made.out)")
        let output = directory + "/export.redacted.zip"
        let result = try Redline.run(["redact", archive, "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let again = try Redline.run(["check", "--format", "jsonl", "--fail-on", "redact", output])
        #expect(again.status == 0, "\(again.out)")
        let dump = try Self.python(["-c", """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
            print(z.namelist())
            sys.stdout.write(z.read("2026/tickets.csv").decode()); sys.stdout.write(z.read("readme.txt").decode())
            """, output])
        #expect(dump.status == 0, "\(dump.out)")
        #expect(dump.out.contains("['2026/tickets.csv', 'account-summary.xlsx', 'readme.txt']"))
        #expect(dump.out.contains("1042,Alan Turing,NI number [NI NUMBER] confirmed\nNothing personal.\n"))
        #expect(!dump.out.contains("AB 12 34 56 C"))
    }

    @Test("redline redact tickets.csv.gz writes a gzip file Python reads, with the value redacted")
    func gzipFile() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/tickets.csv.gz"
        let made = try Self.python(["-c", "import gzip, sys; gzip.open(sys.argv[1], 'wb').write(b'id,ni\\n1,AB 12 34 56 C\\n')", file])
        #expect(made.status == 0, "\(made.out)")
        let output = directory + "/out.csv.gz"
        let result = try Redline.run(["redact", file, "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let dump = try Self.python(["-c", "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1]).read().decode())", output])
        #expect(dump.out == "id,ni\n1,[NI NUMBER]\n")
    }
}
