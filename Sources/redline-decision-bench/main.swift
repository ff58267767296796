// redline-decision-bench: the milter's policy decision for one message, in process.
//
//   swift build -c release --product redline-decision-bench
//   .build/release/redline-decision-bench [--iterations N] [--size BYTES] [FILE.eml]
//
// Builds a message of about --size bytes (default 50 KB) from FILE (default: a generated
// customer-service reply with PII), then times MailProcessor.check (what the milter decides on at
// end-of-message: MIME parsing, decoding, scanning, rules) and MailProcessor.redact, N times each
// after a warm-up, and prints the median, min and max in milliseconds. No timing is asserted.
#if canImport(Glibc)
import Glibc
#endif
import RedlineCore
import RedlineEngine
import RedlineMail

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func sampleMessage(size: Int) -> [UInt8] {
    let lines = [
        "Hello Sarah,", "Thanks for getting back to us about order H555640.",
        "I can see the refund of £42.50 went to the card ending 1111 on 14/03/2025.",
        "Your NI number AB 12 34 56 C is not something we need, please don't send it.",
        "We'll post the replacement to 14 Acacia Avenue, Leeds LS6 2AB.",
        "If you'd rather talk, call us on 0800 047 2011 or reply to help@oakhurstbooks.com.",
        "[15:32] Agent Kate: You can also reach us on 0131 268 4236 (Mon-Fri 9:00-17:00).",
        "Card 4111 1111 1111 1111 exp 12/27 was declined, so please use the payment page.",
        "Bank details: IBAN GB82 WEST 1234 5698 7654 32. Tracking 12345678901234 is on its way.",
        "Kind regards, Zoë from Oakhurst Books",
    ]
    var body = ""
    var index = 0
    while body.utf8.count < size - 400 {
        body += lines[index % lines.count] + "\r\n"
        index += 1
    }
    let header = "From: Oakhurst Support <support@oakhurst.example.co.uk>\r\nTo: Sarah Jones <sarah@gmail.com>\r\n"
        + "Subject: Re: Your order H555640\r\nDate: Tue, 4 Mar 2025 10:12:00 +0000\r\nMessage-ID: <bench@oakhurst.example.co.uk>\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    return Array((header + body).utf8)
}

var iterations = 200
var size = 50_000
var file: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--iterations": iterations = Int(arguments.popFirst() ?? "") ?? iterations
    case "--size": size = Int(arguments.popFirst() ?? "") ?? size
    default: file = argument
    }
}
var message = sampleMessage(size: size)
if let file, let handle = fopen(file, "rb") {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let read = fread(&buffer, 1, buffer.count, handle)
        if read <= 0 { break }
        bytes += buffer[0..<read]
    }
    fclose(handle)
    message = bytes
}

let pipeline: Pipeline
do {
    pipeline = try Pipeline.compile(yaml: PolicySource.embeddedDefaultText, file: "<embedded uk-default>")
} catch {
    print("policy: \(error)")
    exit(2)
}
let session = pipeline.makeSession()

@MainActor func measure(_ name: String, _ body: () -> Int) {
    for _ in 0..<10 { _ = body() }
    var times: [Double] = []
    var findings = 0
    for _ in 0..<iterations {
        let start = now()
        findings = body()
        times.append((now() - start) * 1000)
    }
    times.sort()
    let median = times[times.count / 2]
    func ms(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) ms"
    }
    print("\(name): \(message.count) bytes  median \(ms(median))  min \(ms(times.first!))  max \(ms(times.last!))  (\(iterations) runs, \(findings) findings)")
}
measure("check") { MailProcessor.check(message, session: session).findings.count }
measure("redact") { MailProcessor.redact(message, session: session).verdict.findings.count }
