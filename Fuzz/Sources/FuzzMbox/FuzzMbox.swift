import Foundation
import FuzzSupport
import RedlineMail

// The mbox splitter on arbitrary files (through a pipe, as from standard input). Invariants: it
// ends, one message at a time (a separator followed only by a blank line is one empty message);
// unescaping only removes bytes, so the messages never hold more bytes than the file.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMbox(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size < 60_000 else { return 0 }   // stays inside one pipe buffer: no writer thread needed
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return 0 }
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
        if written <= 0 { break }
        offset += written
    }
    close(fds[1])
    let handle = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
    var reader = MboxReader(fileHandle: handle)
    var total = 0
    var count = 0
    do {
        while let message = try reader.next() {
            total += message.count
            count += 1
            Fuzz.check(count <= bytes.count + 1, "more messages than bytes: the reader does not advance")
        }
    } catch {
        Fuzz.check(false, "reading a pipe threw \(error)")
    }
    Fuzz.check(total <= bytes.count, "\(total) message bytes from a \(bytes.count)-byte file")
    return 0
}
