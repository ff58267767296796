import Foundation
import RedlineCore
import RedlineEngine

/// `redline key generate`: a new HMAC key for fingerprints, baselines, audit logs and `hash`
/// redaction. 32 bytes from the system's random source, written as 64 hex digits and a line break
/// (the key is the file's text, as ``KeySource`` reads it), mode 0600.
public enum KeyGenerator {
    public static let byteCount = 32

    /// Writes a new key to `path`: atomically (a temporary file beside it, then a link or rename),
    /// never over an existing file unless `force`. Throws a message saying what went wrong.
    public static func generate(path: String, force: Bool) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw ToolError("\(path) is a folder") }
            if !force { throw ToolError("\(path) already exists; not replaced (a new key makes existing baselines and audit logs unverifiable: --force to replace it)") }
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = bytes.map { String(format: "%02x", $0) }.joined() + "\n"
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.redline-key-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ToolError("cannot write in \(directory.isEmpty ? "." : directory): \(String(cString: strerror(errno)))") }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: String?
        if fchmod(fd, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        let data = Array(text.utf8)
        if failure == nil, data.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) != data.count { failure = String(cString: strerror(errno)) }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil {
            // link() refuses an existing name, so a file created meanwhile is not replaced either.
            if force {
                if rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
            } else if link(temporary, path) != 0 {
                failure = errno == EEXIST ? "it already exists (--force to replace it)" : String(cString: strerror(errno))
            }
        }
        unlink(temporary)
        if let failure { throw ToolError("cannot write key file \(path): \(failure)") }
        return "wrote a new \(byteCount)-byte key to \(path) (mode 0600); keep a copy: baselines and audit logs need the same key"
    }
}
