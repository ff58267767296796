import Foundation
import Testing

@Suite("redline edm build and exact_data end to end")
struct EDMCommandTests {
    static let columns = "customer_id:digits,full_name:name,email:email,phone:phone,postcode:postcode,date_of_birth:date,address:text"
    static let env = ["REDLINE_KEY": "edm-command-test-key"]

    /// The example customer table built into a temporary directory beside a copy of the example policy.
    func example() throws -> String {
        let directory = try Redline.temporaryDirectory()
        let built = try Redline.run(["edm", "build", Redline.path("Examples/edm/customers.csv"), "--columns", Self.columns,
                                     "--output", directory + "/customers.edm"], environment: Self.env)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(built.out.contains("300 rows, 2100 cells indexed"))
        #expect(built.stderr.isEmpty, "no progress bar or warning when standard error is not a terminal")
        try FileManager.default.copyItem(atPath: Redline.path("Examples/edm/policy.yaml"), toPath: directory + "/policy.yaml")
        return directory
    }

    @Test("the README's two commands: build the example index, then check and redact the example reply")
    func exampleRoundTrip() throws {
        let directory = try example()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reply = Redline.path("Examples/edm/reply.txt")
        let check = try Redline.run(["check", "--policy", directory + "/policy.yaml", reply], environment: Self.env)
        #expect(check.status == 1)
        for column in ["full_name", "customer_id", "date_of_birth", "postcode"] { #expect(check.out.contains("customer[\(column)]")) }
        let redact = try Redline.run(["redact", "--policy", directory + "/policy.yaml", reply], environment: Self.env)
        #expect(redact.status == 0)
        for value in ["Dev Notreal", "900002", "26 April 1972", "M1 9NA"] { #expect(!redact.out.contains(value)) }
        // The other customer's id next to a name that is not theirs stays.
        #expect(redact.out.contains("account 900003 but gave the name Jane Testwood"))
        let jsonl = try Redline.run(["check", "--format", "jsonl", "--policy", directory + "/policy.yaml", reply], environment: Self.env)
        let findings = jsonl.out.split(separator: "\n").filter { $0.contains("\"data_column\"") }
        #expect(findings.count == 4)
        for value in ["Notreal", "900002", "1972", "9NA"] { #expect(!jsonl.out.contains(value)) }
    }

    @Test("policy check names the index's line and column for a missing index or a wrong key; explain and detectors describe it")
    func policyTools() throws {
        let directory = try example()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = directory + "/policy.yaml"
        #expect(try Redline.run(["policy", "check", policy], environment: Self.env).status == 0)
        let wrong = try Redline.run(["policy", "check", policy], environment: ["REDLINE_KEY": "not the key, but long"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("policy.yaml:15:12: error[P040]: index 'customers.edm': the index was built with a different key"))
        let noKey = try Redline.run(["policy", "check", policy])
        #expect(noKey.stderr.contains("policy.yaml:15:12: error[P014]"))
        try FileManager.default.removeItem(atPath: directory + "/customers.edm")
        let missing = try Redline.run(["policy", "check", policy], environment: Self.env)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("policy.yaml:15:12: error[P040]: index 'customers.edm': index file not found"))
        #expect(try Redline.run(["detectors"]).out.contains("exact_data\n"))
        try example().withRemovedAfter { other in
            let explain = try Redline.run(["policy", "explain", other + "/policy.yaml"], environment: Self.env)
            #expect(explain.out.contains("customer (exact_data): redacted as the label [CUSTOMER RECORD]; a value of customer_id, email, phone"))
        }
    }

    @Test("bad CSV input exits 2 with file:line: error, writes nothing and quotes no value", arguments: [
        ("customer_id,full_name\n1,Secretname\n2,Other\u{FF}\n", "customers.csv:3: error: the file is not valid UTF-8"),
        ("", "customers.csv:1: error: no header row"),
        ("customer_id,customer_id\n1,2\n", "customers.csv:1: error: the header names column 'customer_id' twice"),
        ("customer_id,surname\n1,Secretname\n", "customers.csv:1: error: column 'full_name' is not in the header"),
    ] as [(String, String)])
    func badInput(_ csv: String, _ expected: String) throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = Array(csv.utf8)
        if let at = bytes.firstIndex(of: 0xC3), csv.contains("\u{FF}") { bytes[at] = 0xFF; bytes.remove(at: at + 1) }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/customers.csv"))
        let result = try Redline.run(["edm", "build", "customers.csv", "--columns", "customer_id:digits,full_name:name", "--output", "out.edm"],
                                     environment: Self.env, directory: directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(!result.stderr.contains("Secretname") && !result.stderr.contains("Other"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["customers.csv"])
    }

    @Test("short rows are warned about by line (fatal with --strict); no key is an error")
    func rowsAndKey() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Redline.write("customer_id,full_name\n1,Ann Example\n2\n3,Bo Example\n", to: directory, name: "c.csv")
        let args = ["edm", "build", "c.csv", "--columns", "customer_id:digits,full_name:name", "--output", "c.edm"]
        let lenient = try Redline.run(args, environment: Self.env, directory: directory)
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("c.csv:3: warning: record has the wrong number of fields"))
        #expect(lenient.out.contains("2 rows, 4 cells indexed"))
        try FileManager.default.removeItem(atPath: directory + "/c.edm")
        let strict = try Redline.run(args + ["--strict"], environment: Self.env, directory: directory)
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("c.csv:3: error: record has 1 fields; the header has 2"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/c.edm"))
        let noKey = try Redline.run(args, directory: directory)
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("needs the key"))
    }
}

extension String {
    /// Runs `body` with this directory path, then removes the directory.
    func withRemovedAfter(_ body: (String) throws -> Void) rethrows {
        defer { try? FileManager.default.removeItem(atPath: self) }
        try body(self)
    }
}
