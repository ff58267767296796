/// A JSON string literal for a Swift string: quotes, backslashes and control characters escaped.
/// The one escaper behind every hand-written JSON line (reports, audit records, milter logs).
public enum JSONText {
    public static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        let digits = Array("0123456789abcdef")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u00"
                    out.append(digits[Int(scalar.value >> 4)])
                    out.append(digits[Int(scalar.value & 15)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
