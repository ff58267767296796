import Foundation
import Testing

/// Issue 19 on the command line: `--sender`, `--sender-group`, `--override`, tips in every
/// output, the audit record of an override and `redline audit report`.
@Suite("Senders, overrides and tips on the command line")
struct SenderCommandTests {
    /// Ten distinct phone numbers: the embedded uk-default's `contact-list-external` blocks them
    /// on external channels; team leads may override it.
    static let contactList: [UInt8] = Array(((10...19).map { "mob 07700 9004\($0)" }.joined(separator: ", ") + "\n").utf8)
    static let justification = "sending the courier today's delivery round"

    @Test("without an override the contact list is blocked, and the text report gives the tip and who may override")
    func blockedWithTip() throws {
        let result = try Redline.run(["check", "--channel", "email-external"], input: Self.contactList)
        #expect(result.status == 1)
        #expect(result.out.contains("contact-list-external [block] phone"))
        #expect(result.out.contains("— Ten or more customer addresses or phone numbers in one message looks like a contact list. "
                                    + "Tip: Share delivery lists with couriers through the secure portal instead. "
                                    + "Senders in team-leads may override rule 'contact-list-external' with a justification"))
    }

    @Test("a team lead's --override lowers the block to flag; JSON says which rule was overridden")
    func overrideGranted() throws {
        let result = try Redline.run(["check", "--format", "jsonl", "--channel", "email-external", "--sender-group", "team-leads",
                                      "--override", "contact-list-external=\(Self.justification)"], input: Self.contactList)
        #expect(result.status == 1)
        #expect(result.out.contains("\"by_action\":{\"flag\":10}"))
        // The flag rule for contact details decides now; the overridden rule is named.
        #expect(result.out.contains("\"rule\":\"contact-details-external\",\"action\":\"flag\""))
        #expect(result.out.contains("\"overridden\":{\"rule\":\"contact-list-external\",\"action\":\"block\"}"))
        #expect(result.stderr.isEmpty)
        // Decided by address too.
        let byAddress = try Redline.run(["check", "--format", "jsonl", "--channel", "email-external", "--sender", "jo@leads.example.co.uk",
                                         "--override", "contact-list-external=\(Self.justification)"], input: Self.contactList)
        #expect(byAddress.out.contains("\"overridden\":{\"rule\":\"contact-list-external\""))
    }

    @Test("refused overrides say why on stderr and change nothing; bad flags exit 2 with a suggestion")
    func refusedAndUsage() throws {
        let notLead = try Redline.run(["check", "--channel", "email-external", "--sender", "eve@example.net",
                                       "--override", "contact-list-external=\(Self.justification)"], input: Self.contactList)
        #expect(notLead.out.contains("[block]"))
        #expect(notLead.stderr.contains("redline: override of rule 'contact-list-external' refused: rule 'contact-list-external' can be overridden only by senders in team-leads; the sender is in default"))
        let never = try Redline.run(["check", "--sender-group", "team-leads", "--override", "card-never-leaves=the customer wants it back"],
                                    input: Array("card 4111 1111 1111 1111\n".utf8))
        #expect(never.out.contains("[block]"))
        #expect(never.stderr.contains("override of rule 'card-never-leaves' refused: rule 'card-never-leaves' cannot be overridden"))
        let unknown = try Redline.run(["check", "--override", "4111111111111111=reason long enough here"], input: Array("hello\n".utf8))
        #expect(unknown.stderr.contains("override of rule '(unknown rule)' refused: the policy has no rule by that name"))
        #expect(!unknown.stderr.contains("4111"))
        let group = try Redline.run(["check", "--sender-group", "team-lead"], input: Array("hello\n".utf8))
        #expect(group.status == 2)
        #expect(group.stderr.contains("unknown sender group 'team-lead'; did you mean 'team-leads'?"))
        let malformed = try Redline.run(["check", "--override", "no-equals-sign"], input: Array("hello\n".utf8))
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("must be RULE-ID=JUSTIFICATION"))
    }

    @Test("--audit records the override with its redacted justification; audit verify passes; audit report summarises it")
    func auditAndReport() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try Redline.write("0123456789abcdef0123456789abcdef", to: directory, name: "key")
        let log = directory + "/audit.jsonl"
        let leaky = "courier \(Self.justification); card 4111 1111 1111 1111 for the deposit"
        let first = try Redline.run(["check", "--channel", "email-external", "--key-file", key, "--audit", log, "--sender-group", "team-leads",
                                     "--override", "contact-list-external=\(leaky)"], input: Self.contactList)
        #expect(first.status == 1)
        _ = try Redline.run(["check", "--channel", "email-external", "--key-file", key, "--audit", log, "--sender", "eve@example.net",
                             "--override", "contact-list-external=\(Self.justification)"], input: Self.contactList)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!text.contains("4111"))
        #expect(text.contains("\"sender\":\"group:team-leads\",\"groups\":[\"team-leads\"]"))
        #expect(text.contains("\"outcome\":\"granted\",\"becomes\":\"flag\",\"origin\":\"option\""))
        #expect(text.contains("\"detectors\":{\"phone\":10}"))
        #expect(text.contains("\"sender\":\"eve@example.net\",\"groups\":[\"default\"]"))
        #expect(text.contains("\"outcome\":\"refused\""))
        let verify = try Redline.run(["audit", "verify", "--key-file", key, log])
        #expect(verify.status == 0, "\(verify.stderr)")

        let report = try Redline.run(["audit", "report", "--key-file", key, log])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.out.contains("Chain: 2 records, intact, head matches"))
        #expect(report.out.contains("Overrides: 1 granted, 1 refused"))
        #expect(report.out.contains("  group:team-leads: 1 decisions (flag 1); overrides 1 granted, 0 refused"))
        #expect(report.out.contains("  contact-list-external: 1 decisions (block 1); overrides 1 granted, 1 refused"))
        #expect(report.out.contains("  eve@example.net: 1 decisions (block 1); overrides 0 granted, 1 refused"))
        #expect(report.out.contains("rule contact-list-external on email-external (check): granted → flag; passed phone=10"))
        #expect(!report.out.contains("4111"))

        let csv = try Redline.run(["audit", "report", "--format", "csv", log])
        #expect(csv.out.hasPrefix("section,name,decisions,allow,flag,redact,block,overrides_granted,overrides_refused,"))
        #expect(csv.out.contains("\r\nrule,contact-list-external,1,0,0,0,1,1,1,"))
        let html = try Redline.run(["audit", "report", "--format", "html", "--since", "2000-01-01", log])
        #expect(html.out.contains("<svg role=\"img\" aria-label=\"Decisions per day by verdict\""))
        #expect(html.out.contains("Content-Security-Policy"))
        #expect(!html.out.contains("<script"))
        let future = try Redline.run(["audit", "report", "--since", "2999-01-01", log])
        #expect(future.out.contains("0 decisions (2 earlier records left out)"))
        let badDate = try Redline.run(["audit", "report", "--since", "last week", log])
        #expect(badDate.status == 2)
    }

    @Test("Examples/senders: the team lead's delivery list leaves flagged, its override header removed, as in the expected file")
    func senderExample() throws {
        let result = try Redline.run(["redact", "--input", "eml", "--sender", "jo@leads.example.co.uk", "Examples/senders/delivery-list.eml"],
                                     directory: Redline.repository.path)
        #expect(result.status == 0)
        #expect(result.stdout == Array(try Data(contentsOf: URL(fileURLWithPath: Redline.path("Examples/senders/delivery-list.overridden.eml")))))
        let other = try Redline.run(["redact", "--input", "eml", "--sender", "eve@example.co.uk", "--on-block", "fail", "Examples/senders/delivery-list.eml"],
                                    directory: Redline.repository.path)
        #expect(other.status == 3)
    }

    @Test("check on a message says why its X-Redline-Override was refused; scan refuses sender options instead of ignoring them")
    func headerRefusalAndScan() throws {
        let check = try Redline.run(["check", "--sender", "eve@example.co.uk", "Examples/senders/delivery-list.eml"], directory: Redline.repository.path)
        #expect(check.status == 1)
        #expect(check.stderr.contains("override of rule 'contact-list-external' refused: rule 'contact-list-external' can be overridden only by senders in team-leads; the sender is in default"))
        #expect(!check.stderr.contains("courier needs"))
        let scan = try Redline.run(["scan", "--sender-group", "team-leads", "Examples/senders"], directory: Redline.repository.path)
        #expect(scan.status == 2)
        #expect(scan.stderr.contains("--sender, --sender-group and --override apply to check and redact, not to scan"))
    }

    @Test("check --audit and redact --audit on a message record its own X-Redline-Override header, granted or refused, justification scanned")
    func headerOverrideAudited() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try Redline.write("0123456789abcdef0123456789abcdef", to: directory, name: "key")
        let example = try String(contentsOfFile: Redline.path("Examples/senders/delivery-list.eml"), encoding: .utf8)
        // The reason holds a card number: the record carries it redacted.
        let leaky = example.replacingOccurrences(of: "agreed with the customers", with: "agreed with the customers, card 4111 1111 1111 1111")
        let message = try Redline.write(leaky, to: directory, name: "round.eml")
        let log = directory + "/audit.jsonl"
        let granted = try Redline.run(["check", "--key-file", key, "--audit", log, "--sender", "jo@leads.example.co.uk", message])
        #expect(granted.status == 1, "\(granted.stderr)")
        let refused = try Redline.run(["check", "--key-file", key, "--audit", log, "--sender", "eve@example.co.uk", message])
        #expect(refused.status == 1)
        let redacted = try Redline.run(["redact", "--input", "eml", "--key-file", key, "--audit", log, "--sender", "jo@leads.example.co.uk", message])
        #expect(redacted.status == 0, "\(redacted.stderr)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(!lines.joined().contains("4111"))
        #expect(lines[0].contains("\"sender\":\"jo@leads.example.co.uk\",\"groups\":[\"team-leads\"]"))
        #expect(lines[0].contains("\"rule\":\"contact-list-external\",\"outcome\":\"granted\",\"becomes\":\"flag\",\"origin\":\"header\""))
        #expect(lines[0].contains("courier needs today's delivery round, agreed with the customers, card "))
        #expect(lines[0].contains("\"detectors\":{\"phone\":10}"))
        #expect(lines[1].contains("\"outcome\":\"refused\""))
        #expect(lines[1].contains("\"origin\":\"header\""))
        #expect(lines[2].contains("\"mode\":\"redact\""))
        #expect(lines[2].contains("\"outcome\":\"granted\",\"becomes\":\"flag\",\"origin\":\"header\""))
        let verify = try Redline.run(["audit", "verify", "--key-file", key, log])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test("redact --audit releases nothing when its audit record cannot be written, and refuses --line-buffered")
    func redactAuditBeforeOutput() throws {
        let directory = try Redline.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try Redline.write("0123456789abcdef0123456789abcdef", to: directory, name: "key")
        let input = Array("card 4111 1111 1111 1111 and hello\n".utf8)
        // A directory cannot be appended to: the record fails, so neither stdout nor --output gets the text.
        let unwritable = directory + "/log-dir"
        try FileManager.default.createDirectory(atPath: unwritable, withIntermediateDirectories: true)
        let toStdout = try Redline.run(["redact", "--key-file", key, "--audit", unwritable, "--channel", "chat"], input: input)
        #expect(toStdout.status == 2)
        #expect(toStdout.stdout.isEmpty)
        #expect(toStdout.stderr.contains("nothing written (the output is released only after its audit record)"))
        let output = directory + "/out.txt"
        let toFile = try Redline.run(["redact", "--key-file", key, "--audit", unwritable, "--channel", "chat", "--output", output], input: input)
        #expect(toFile.status == 2)
        #expect(!FileManager.default.fileExists(atPath: output))
        // With a writable log the record is there by the time the output is.
        let log = directory + "/audit.jsonl"
        let fine = try Redline.run(["redact", "--key-file", key, "--audit", log, "--channel", "chat"], input: input)
        #expect(fine.status == 0, "\(fine.stderr)")
        #expect(!fine.out.contains("4111 1111 1111 1111"))
        #expect(fine.out.hasSuffix("and hello\n"))
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("\"mode\":\"redact\""))
        let streaming = try Redline.run(["redact", "--key-file", key, "--audit", log, "--line-buffered"], input: input)
        #expect(streaming.status == 2)
        #expect(streaming.stdout.isEmpty)
        #expect(streaming.stderr.contains("--audit cannot be used with --line-buffered"))
    }

    @Test("policy explain names a rule's sender groups and who may override it")
    func explain() throws {
        let result = try Redline.run(["policy", "explain", "--channel", "email-external"])
        #expect(result.out.contains("BLOCK postcode, phone when 10 or more distinct values appear — rule contact-list-external; "
                                    + "team-leads may override it to flag, with a justification of at least 15 characters"))
    }
}
