import RedlineCore
import RedlineEngine
import RedlineFormats

/// E-mail inputs (`.eml`, mbox, Maildir) for check and redact, on RedlineMail.
enum MailInputs {
    static func check(path: String, mode: InputMode, scanner: InputScanner, report: @escaping (ReportEntry) -> Void) throws {
        throw ToolError("input mode \(mode.rawValue) is not wired yet")
    }
}
