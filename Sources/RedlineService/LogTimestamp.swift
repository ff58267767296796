#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `ts` of a log line: UTC, RFC 3339 with milliseconds (`2026-12-05T10:08:14.369Z`),
/// formatted by hand. Foundation's `ISO8601DateFormatter` builds an ICU date formatter for each
/// call; with one access-log line per request that was a third of `redline serve`'s CPU.
public enum LogTimestamp {
    /// The current wall-clock time.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(secondsSinceEpoch: Int64(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// `secondsSinceEpoch` (Unix time, UTC) plus `milliseconds` (0–999) as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func format(secondsSinceEpoch: Int64, milliseconds: Int) -> String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = Int(secondsSinceEpoch - days * 86_400)
        let (year, month, day) = civil(daysSinceEpoch: days)
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var value = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                out[i] = UInt8(truncatingIfNeeded: 48 + value % 10)
                value /= 10
            }
        }
        put(Int(year), 0, 4); out[4] = UInt8(ascii: "-")
        put(month, 5, 2); out[7] = UInt8(ascii: "-")
        put(day, 8, 2); out[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 11, 2); out[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 14, 2); out[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 17, 2); out[19] = UInt8(ascii: ".")
        put(milliseconds, 20, 3); out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01 (the "days from civil"
    /// inverse: eras of 400 years, years starting in March so that the leap day comes last).
    static func civil(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
