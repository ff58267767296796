import Foundation
import RedlineCore
import RedlineFormats
#if canImport(Glibc)
import Glibc
#endif

/// I/O errors with the documented exit behaviour.
public enum IOFailure: Error, CustomStringConvertible {
    /// The reader went away (EPIPE): stop quietly.
    case brokenPipe
    case write(String, Int32)
    case read(String, Int32)
    case open(String, Int32)

    public var description: String {
        switch self {
        case .brokenPipe: "output closed by the reader"
        case let .write(what, code): "cannot write \(what): \(String(cString: strerror(code)))"
        case let .read(what, code): "cannot read \(what): \(String(cString: strerror(code)))"
        case let .open(what, code): "cannot open \(what): \(String(cString: strerror(code)))"
        }
    }
}

/// A buffered writer on a file descriptor. Block-buffered by default; `lineBuffered` flushes
/// at every record boundary the caller marks with ``endRecord()``.
public final class OutputStream {
    let fd: Int32
    let name: String
    public var lineBuffered: Bool
    private var buffer: [UInt8] = []
    private let capacity = 64 * 1024

    public init(fd: Int32, name: String, lineBuffered: Bool = false) {
        self.fd = fd
        self.name = name
        self.lineBuffered = lineBuffered
        buffer.reserveCapacity(capacity)
    }

    public func write(_ bytes: ArraySlice<UInt8>) throws {
        if bytes.count >= capacity && encoder == nil {
            // A long piece (of a message written patch by patch): straight from where it lies.
            try bytes.withUnsafeBufferPointer { try write($0) }
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        if bytes.count >= capacity && encoder == nil {
            // A long record as read: written straight from where it lies, not copied first.
            try flush()
            try writeAll(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    public func write(_ bytes: [UInt8]) throws {
        if bytes.count >= capacity && encoder == nil {
            try flush()
            try bytes.withUnsafeBufferPointer { try writeAll($0) }
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    public func write(_ text: String) throws { try write(Array(text.utf8)) }

    /// Writes UTF-16 in this order (the byte-order mark first) instead of the UTF-8 given: for
    /// output that goes back to a UTF-16 file (``InputStream/utf16``).
    public var utf16: UTF16Text.Order? {
        didSet { encoder = utf16.map { UTF16Text.Encoder(order: $0) } }
    }
    private var encoder: UTF16Text.Encoder?
    private var markWritten = false

    /// Marks the end of a record: flushes when line-buffered.
    public func endRecord() throws {
        if lineBuffered { try flush() }
    }

    public func flush() throws {
        if encoder != nil {
            var encoded: [UInt8] = markWritten ? [] : utf16!.mark
            markWritten = true
            encoder!.encode(buffer, into: &encoded)
            buffer = encoded
        }
        defer { buffer.removeAll(keepingCapacity: true) }
        try buffer.withUnsafeBufferPointer { try writeAll($0) }
    }

    /// Writes every byte to the descriptor (retrying short writes and EINTR).
    private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, base + offset, bytes.count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EPIPE { throw IOFailure.brokenPipe }
                throw IOFailure.write(name, code)
            }
            offset += written
        }
    }

    /// Whether the descriptor is a terminal.
    public var isTerminal: Bool { isatty(fd) == 1 }
}

/// Reads a file descriptor in chunks.
public final class InputStream {
    let fd: Int32
    public let name: String
    let ownsDescriptor: Bool
    let chunkSize: Int
    /// Made on the first chunked read: ``readAll(limit:)`` of a file reads straight into its
    /// result, so a small message costs no zeroed 256 KiB buffer. Not a `lazy var`: reading into
    /// a lazy property goes through its getter, whose copy made every read copy the whole buffer.
    private var chunk: [UInt8] = []

    public init(fd: Int32, name: String, ownsDescriptor: Bool = false, chunkSize: Int = 256 * 1024) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
        self.chunkSize = chunkSize
    }

    /// Opens a path for reading (`-` is standard input).
    public static func open(_ path: String) throws -> InputStream {
        if path == "-" { return InputStream(fd: 0, name: "-") }
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw IOFailure.open(path, EISDIR)
        }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IOFailure.open(path, errno) }
        return InputStream(fd: fd, name: path, ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// The byte order of a UTF-16 input found by ``detectUTF16()``; nil for anything else.
    public private(set) var utf16: UTF16Text.Order?
    private var decoder: UTF16Text.Decoder?
    private var decoded: [UInt8] = []
    /// Bytes read by ``detectUTF16()`` and not yet handed out.
    private var head: [UInt8]?

    /// Looks at the first bytes: after a UTF-16 byte-order mark (FF FE or FE FF), ``read()``
    /// returns the text as UTF-8 (mark dropped; unpaired surrogates kept so that ``OutputStream``
    /// with ``utf16`` writes the same bytes back). Anything else is read as it is.
    public func detectUTF16() throws {
        var first: [UInt8] = []
        // Reads only as far as a mark could go on (FF FE 00 00 is UTF-32, not UTF-16), so that an
        // interactive input's first short line is not held waiting for more bytes.
        while first.count < 4 {
            if let lead = first.first, lead != 0xFE && lead != 0xFF { break }
            if first.count >= 2 && !(first[0] == 0xFF && first[1] == 0xFE) { break }
            let piece = try readRaw()
            if piece.isEmpty { break }
            first.append(contentsOf: piece)
        }
        guard let order = UTF16Text.order(ofMarkIn: first) else {
            head = first
            return
        }
        utf16 = order
        decoder = UTF16Text.Decoder(order: order)
        var out: [UInt8] = []
        decoder!.decode(first.dropFirst(2), into: &out)
        head = out
    }

    /// The next chunk; empty at end of input.
    public func read() throws -> ArraySlice<UInt8> {
        if let pending = head {
            head = nil
            if !pending.isEmpty { return pending[...] }
        }
        guard decoder != nil else { return try readRaw() }
        while true {
            let raw = try readRaw()
            decoded.removeAll(keepingCapacity: true)
            if raw.isEmpty {
                if !decoder!.finish(into: &decoded) { throw IOFailure.read(name + " (UTF-16 input with an odd number of bytes)", EILSEQ) }
                return decoded[...]
            }
            decoder!.decode(raw, into: &decoded)
            if !decoded.isEmpty { return decoded[...] }
        }
    }

    private func readRaw() throws -> ArraySlice<UInt8> {
        if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: chunkSize) }
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress!, raw.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw IOFailure.read(name, errno)
            }
            return chunk[0..<count]
        }
    }

    /// Waits until input is ready to read (data, end of input or an error), for at most
    /// `milliseconds`; false when the time passed first.
    public func waitReadable(milliseconds: Int) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&entry, 1, Int32(clamping: max(0, milliseconds)))
            if rc < 0 && errno == EINTR { continue }
            return rc != 0
        }
    }

    /// Everything left (for small inputs such as one e-mail message), up to `limit` bytes.
    public func readAll(limit: Int = 512 * 1024 * 1024) throws -> [UInt8] {
        var out: [UInt8] = []
        // A regular file: read straight into room for all of it (one more byte shows whether it
        // grew), so the buffer is neither copied as it doubles (a copy that briefly needs 1.5
        // times the file) nor read through a chunk buffer first.
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0, utf16 == nil, head == nil {
            let room = min(Int(info.st_size), limit) + 1
            var failure: Int32 = 0
            out = [UInt8](unsafeUninitializedCapacity: room) { buffer, count in
                count = 0
                while count < buffer.count {
                    let got = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                    if got < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        break
                    }
                    if got == 0 { break }
                    count += got
                }
            }
            if failure != 0 { throw IOFailure.read(name, failure) }
            if out.count < room { return out }
            if out.count > limit { throw IOFailure.read(name, EFBIG) }
        }
        while true {
            let piece = try read()
            if piece.isEmpty { return out }
            out.append(contentsOf: piece)
            if out.count > limit { throw IOFailure.read(name, EFBIG) }
        }
    }
}

/// Writes a file atomically: a temporary file beside the target, then `rename`. A failure at any
/// point leaves the original untouched and removes the temporary file.
public final class AtomicFile {
    public let path: String
    let temporary: String
    public let stream: OutputStream
    private var done = false
    /// Test seam: called before each flush; returning an errno makes that write fail.
    nonisolated(unsafe) public static var faultInjection: ((String) -> Int32?)?

    /// `readableByUmask`: a new file gets mode 0666 less the process umask, as any file the user
    /// creates (reports holding masked data only); otherwise a new file is 0600. An existing
    /// file keeps its mode either way.
    public init(path: String, readableByUmask: Bool = false) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(base).redline-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw IOFailure.open(path, errno) }
        temporary = String(cString: template.map { UInt8(bitPattern: $0) }.dropLast().map { $0 } + [0])
        stream = OutputStream(fd: fd, name: path)
        var info = stat()
        if stat(path, &info) == 0 {
            fchmod(fd, info.st_mode & 0o7777)
        } else if readableByUmask {
            fchmod(fd, 0o666 & ~AtomicFile.umaskValue())
        }
    }

    /// The process umask, read without changing it (umask(2) can only be read by setting it,
    /// which races with other threads creating files): from /proc/self/status, else 022.
    static func umaskValue() -> mode_t {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
           let value = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) {
            return value
        }
        return 0o022
    }

    /// Flushes, syncs and renames over the target.
    public func commit() throws {
        if let fault = AtomicFile.faultInjection?(path) {
            abandon()
            throw IOFailure.write(path, fault)
        }
        do {
            try stream.flush()
        } catch {
            abandon()
            throw error
        }
        if fsync(stream.fd) != 0 || close(stream.fd) != 0 {
            let code = errno
            unlink(temporary)
            done = true
            throw IOFailure.write(path, code)
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            done = true
            throw IOFailure.write(path, code)
        }
        done = true
    }

    public func abandon() {
        guard !done else { return }
        close(stream.fd)
        unlink(temporary)
        done = true
    }

    deinit { abandon() }
}

/// Where `redact --in-place` writes: the file itself, through any symbolic links (the link is
/// kept and its target redacted, so no name still leads to the raw original). A file with more
/// than one hard link is refused: a new file renamed over one name would leave the raw original
/// behind the others, and rewriting it in place could not be atomic.
public enum InPlaceTarget {
    public static func resolve(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw IOFailure.open(path, errno) }
        defer { free(resolved) }
        let target = String(cString: resolved)
        var info = stat()
        guard stat(target, &info) == 0 else { throw IOFailure.open(path, errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ToolError("\(path): --in-place needs a regular file (this is a device, pipe or folder); use --output")
        }
        if info.st_nlink > 1 {
            throw ToolError("\(path): --in-place refused: the file has \(info.st_nlink) hard links, and replacing it would leave the unredacted "
                + "original under the other names; redact to --output and copy the result over the file (cp keeps every link)")
        }
        return target
    }
}

/// An output file: regular files (and new paths) are written atomically through ``AtomicFile``;
/// devices and pipes (`/dev/stdout`, `/dev/full`, a FIFO) are written directly, never replaced.
public final class Destination {
    public let stream: OutputStream
    private let atomic: AtomicFile?
    private let fd: Int32?

    /// `readableByUmask`: see ``AtomicFile/init(path:readableByUmask:)``.
    public init(path: String, readableByUmask: Bool = false) throws {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
            if fd < 0 { throw IOFailure.open(path, errno) }
            self.fd = fd
            atomic = nil
            stream = OutputStream(fd: fd, name: path)
        } else {
            let file = try AtomicFile(path: path, readableByUmask: readableByUmask)
            atomic = file
            fd = nil
            stream = file.stream
        }
    }

    public func commit() throws {
        if let atomic {
            try atomic.commit()
        } else {
            try stream.flush()
        }
    }

    public func abandon() { atomic?.abandon() }

    deinit {
        if let fd { close(fd) }
    }
}

/// Writes to standard error (diagnostics only: never message content).
public func printError(_ text: String) {
    let line = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
    _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress!, $0.count) }
}

/// Rate-limits diagnostics on stderr: the first `limit` are printed, the rest counted and
/// summarised by ``finish()`` (a million blocked records must not flood a log).
public final class StderrLimiter {
    public let limit: Int
    private(set) var count = 0

    public init(limit: Int = 20) { self.limit = limit }

    /// Counts a diagnostic and prints it while under the limit; past it the message is not even
    /// built (a redaction reports every blocked finding, thousands in a large text).
    public func report(_ message: @autoclosure () -> String) {
        count += 1
        if count <= limit { printError(message()) }
    }

    public func finish() {
        if count > limit { printError("redline: \(count - limit) more diagnostics not listed") }
    }
}
