import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /` with `--playground`: the page of ``PlaygroundPage`` under a strict Content-Security-Policy
/// that names its one style and one script by SHA-256, so nothing else runs or loads: no other
/// origin, no inline handlers, no frames, no forms posted elsewhere, no plugins, no images.
enum Playground {
    static let html: String = PlaygroundPage.html()

    static let contentSecurityPolicy = [
        "default-src 'none'",
        "script-src '\(hash(PlaygroundPage.script))'",
        "style-src '\(hash(PlaygroundPage.style))'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ].joined(separator: "; ")

    /// `sha256-<base64>` of an inline element's exact text, as CSP hash sources are written.
    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }

    static func response() -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
