import ArgumentParser

/// A command whose `--help` ends with worked examples (argument-parser has no epilogue: the entry
/// point appends them, see `main.swift`).
protocol HasExamples {
    /// (command line, what it does).
    static var examples: [(String, String)] { get }
}

enum HelpExamples {
    /// The EXAMPLES section for `command`, or "" when it has none.
    static func section(for command: ParsableCommand.Type) -> String {
        guard let examples = (command as? HasExamples.Type)?.examples, !examples.isEmpty else { return "" }
        var text = "\nEXAMPLES:\n"
        for (line, what) in examples { text += "  \(line)\n      \(what)\n" }
        return text
    }
}

// The commands that live in files of their own concern get their examples here.
extension SendmailCommand: HasExamples {
    static let examples = [
        ("set sendmail=\"redline sendmail --policy /etc/redline/policy.yaml --\"", "in mutt's muttrc"),
        ("redline sendmail -- -t < draft.eml", "recipients from the message's To/Cc/Bcc"),
    ]
}

extension MilterCommand: HasExamples {
    static let examples = [
        ("redline milter --listen inet:127.0.0.1:8890 --policy /etc/redline/policy.yaml", "for Postfix's smtpd_milters"),
        ("redline milter --listen unix:/run/redline/milter.sock --socket-owner :postfix --metrics-listen 127.0.0.1:9890",
         "a unix socket for Postfix, Prometheus metrics on loopback"),
        ("redline milter --check --policy /etc/redline/policy.yaml", "check the options and the policy, then exit"),
    ]
}

extension AuditCommand.Verify: HasExamples {
    static let examples = [
        ("redline audit verify --key-file /etc/redline/key /var/log/redline/audit.jsonl", "0 intact, 1 tampered"),
        ("redline audit verify --key-file key --head 1042:9f3c… audit.jsonl", "against a head kept elsewhere"),
    ]
}

extension AuditCommand.Head: HasExamples {
    static let examples = [
        ("redline audit head /var/log/redline/audit.jsonl", "print seq:mac for an external system"),
        ("redline audit head audit.jsonl | ssh archive 'cat >> redline-heads.txt'", "keep it off the machine"),
    ]
}

extension EDMCommand.Build: HasExamples {
    static let examples = [
        ("redline edm build customers.csv --columns account:digits,email:email --output customers.edm --key-file key",
         "hash the customer table into an index"),
        ("redline check --policy Examples/edm/policy.yaml --key-file key reply.txt", "then use it from a policy's exact_data detector"),
    ]
}

extension ServeCommand.Run: HasExamples {
    static let examples = [
        ("redline serve token add helpdesk --tokens /etc/redline/tokens.yaml --channels chat", "print a new token once; store its hash"),
        ("redline serve --listen 127.0.0.1:8080 --policy /etc/redline/policy.yaml --tokens /etc/redline/tokens.yaml", "serve the API"),
        ("curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{\"text\":\"...\",\"channel\":\"chat\"}' http://127.0.0.1:8080/v1/check",
         "check a chat reply before it is sent"),
    ]
}
