/// Where the milter (or the metrics endpoint) listens.
///
/// Accepted forms: `inet:127.0.0.1:8890` (Postfix), `inet:8890@127.0.0.1` (Sendmail, libmilter,
/// opendkim), `inet6:8890@[::1]`, `inet6:[::1]:8890`, `unix:/run/redline/milter.sock`,
/// `local:/path`, a bare absolute path, and `127.0.0.1:9090` (metrics). Port 0 picks a free port.
public enum MilterAddress: Equatable, Sendable, CustomStringConvertible {
    case inet(host: String, port: Int)
    case unix(path: String)

    public static func parse(_ text: String) throws(MilterAddressError) -> MilterAddress {
        if text.hasPrefix("unix:") || text.hasPrefix("local:") {
            let path = String(text.drop { $0 != ":" }.dropFirst())
            guard !path.isEmpty else { throw MilterAddressError(text, "a unix socket needs a path") }
            return .unix(path: path)
        }
        if text.hasPrefix("/") { return .unix(path: text) }
        var rest = Substring(text)
        var isInet6 = false
        if rest.hasPrefix("inet6:") {
            rest = rest.dropFirst(6)
            isInet6 = true
        } else if rest.hasPrefix("inet:") {
            rest = rest.dropFirst(5)
        } else if rest.contains(":") && !rest.hasPrefix("[") && rest.split(separator: ":").count > 2 {
            throw MilterAddressError(text, "unknown socket type (use inet:, inet6: or unix:)")
        }
        var host: Substring
        var portText: Substring
        if let at = rest.firstIndex(of: "@") {
            portText = rest[..<at]
            host = rest[rest.index(after: at)...]
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            throw MilterAddressError(text, "expected inet:HOST:PORT, inet:PORT@HOST or unix:/PATH")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        if host.isEmpty { host = isInet6 ? "::1" : "127.0.0.1" }
        guard let port = Int(portText), (0...65_535).contains(port) else { throw MilterAddressError(text, "'\(portText)' is not a port number") }
        return .inet(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        case let .inet(host, port): host.contains(":") ? "inet6:[\(host)]:\(port)" : "inet:\(host):\(port)"
        case let .unix(path): "unix:\(path)"
        }
    }
}

public struct MilterAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }
    public var description: String { "invalid listen address '\(text)': \(reason)" }
}
