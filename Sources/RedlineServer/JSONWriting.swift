import RedlineCore

/// The answers sent on every request, written straight to UTF-8 bytes with the project's JSON
/// escaper (``JSONText``): the same members, values and nulls as their `Encodable` conformance
/// (a test compares the two), without Foundation's `JSONEncoder`, which built a tree of boxed
/// values per answer and cost more than the detection it reports.
protocol JSONWritable: Encodable {
    func writeJSON(to out: inout [UInt8])
}

/// Appends `"key":` and a value to an object being written; `first` tracks the comma.
struct JSONObjectWriter {
    var first = true

    mutating func key(_ name: StaticString, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ name: StaticString, _ value: String, _ out: inout [UInt8]) {
        key(name, &out)
        JSONText.appendQuoted(value, to: &out)
    }

    mutating func int(_ name: StaticString, _ value: Int, _ out: inout [UInt8]) {
        key(name, &out)
        JSONText.appendDecimal(value, to: &out)
    }

    mutating func bool(_ name: StaticString, _ value: Bool, _ out: inout [UInt8]) {
        key(name, &out)
        out.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    mutating func strings(_ name: StaticString, _ values: [String], _ out: inout [UInt8]) {
        key(name, &out)
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func objects(_ name: StaticString, _ values: [some JSONWritable], _ out: inout [UInt8]) {
        key(name, &out)
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            value.writeJSON(to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func object(_ name: StaticString, _ value: some JSONWritable, _ out: inout [UInt8]) {
        key(name, &out)
        value.writeJSON(to: &out)
    }
}

extension PolicyRef: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        o.string("name", name, &out)
        o.string("sha256", sha256, &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension OverriddenBody: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        o.string("rule", rule, &out)
        o.string("action", action, &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension OverrideResultBody: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        o.string("rule", rule, &out)
        o.bool("granted", granted, &out)
        if let becomes { o.string("becomes", becomes, &out) }
        if let refusal { o.string("refusal", refusal, &out) }
        out.append(UInt8(ascii: "}"))
    }
}

extension FindingBody: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        o.string("detector", detector, &out)
        o.string("kind", kind, &out)
        if let rule {
            o.string("rule", rule, &out)
        } else {
            o.key("rule", &out)   // null when no rule applies
            out.append(contentsOf: "null".utf8)
        }
        o.string("action", action, &out)
        o.int("start", start, &out)
        o.int("end", end, &out)
        o.int("scalar_start", scalarStart, &out)
        o.int("scalar_end", scalarEnd, &out)
        o.int("line", line, &out)
        o.int("column", column, &out)
        o.string("excerpt", excerpt, &out)
        o.string("confidence", confidence, &out)
        if let fingerprint { o.string("fingerprint", fingerprint, &out) }
        if let part { o.string("part", part, &out) }
        if let overridden { o.object("overridden", overridden, &out) }
        out.append(UInt8(ascii: "}"))
    }
}

extension DecisionBody: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        if let id { o.string("id", id, &out) }
        o.string("verdict", verdict, &out)
        o.string("channel", channel, &out)
        o.objects("findings", findings, &out)
        o.strings("messages", messages, &out)
        o.object("policy", policy, &out)
        if let text { o.string("text", text, &out) }
        if let message { o.string("message", message, &out) }
        if let incomplete { o.strings("incomplete", incomplete, &out) }
        if let unscanned { o.strings("unscanned", unscanned, &out) }
        if let tips { o.strings("tips", tips, &out) }
        if let overrides { o.objects("overrides", overrides, &out) }
        out.append(UInt8(ascii: "}"))
    }
}

extension BatchBody: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        o.objects("results", results, &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension ErrorBody: JSONWritable {
    func writeJSON(to out: inout [UInt8]) {
        var o = JSONObjectWriter()
        var detail = JSONObjectWriter()
        out.append(UInt8(ascii: "{"))
        o.key("error", &out)
        out.append(UInt8(ascii: "{"))
        detail.string("code", error.code, &out)
        detail.string("message", error.message, &out)
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "}")])
    }
}
