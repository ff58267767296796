import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// A closed reader is a quiet stop, not a crash: writes see EPIPE instead of SIGPIPE.
signal(SIGPIPE, SIG_IGN)

/// Custom entry point: argument-parser exits 64 on usage errors and 1 on errors thrown from
/// run(); redline keeps 1 for "findings" and uses 2 for every usage, policy or input error.
func redlineMain() -> Never {
    do {
        var command = try Redline.parseAsRoot()
        try command.run()
        Redline.exit()
    } catch let code as ExitCode {
        Redline.exit(withError: code)
    } catch {
        if Redline.exitCode(for: error) == .success {
            Redline.exit(withError: error)
        }
        FileHandle.standardError.write(Data((Redline.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
}

redlineMain()
