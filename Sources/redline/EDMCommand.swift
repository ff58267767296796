import ArgumentParser
import Foundation
import RedlineTool

struct EDMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edm",
        abstract: "Exact data match: hash your own customer table into an index for 'kind: exact_data' detectors.",
        subcommands: [Build.self]
    )

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Build an exact-data index from a CSV file with a header row (keyed fingerprints only; no value is stored).",
            discussion: """
            Column types: name, email, phone, postcode, date, digits, text. Each value is normalised the \
            same way here and when text is scanned. Empty cells are skipped; rows with the wrong number of \
            fields are reported by line and skipped (fatal with --strict). The index is written to a temporary \
            file and renamed into place. Exit 2 on bad input (not UTF-8, no header, an unknown or duplicate \
            column), with nothing written.
            """)
        @Argument(help: "CSV file (RFC 4180, UTF-8, header row).") var csv: String
        @Option(name: .long, help: "Columns to index, as NAME:TYPE,NAME:TYPE,… (e.g. customer_id:digits,full_name:name,email:email).")
        var columns: String
        @Option(name: .long, help: "File holding the key (else REDLINE_KEY). Scanning needs the same key.") var keyFile: String?
        @Option(name: .shortAndLong, help: "Index file to write.") var output: String
        @Flag(name: .long, help: "Stop at the first row with the wrong number of fields.") var strict = false

        func run() throws {
            let out = OutputStream(fd: 1, name: "standard output")
            let options = EDMTool.BuildOptions(csv: csv, columns: columns, output: output, keyFile: keyFile, strict: strict,
                                               progress: isatty(2) == 1)
            let code = try EDMTool.build(options, environment: ProcessInfo.processInfo.environment, out: out)
            try out.flush()
            throw ExitCode(code)
        }
    }
}
