/// Milter protocol constants (Sendmail `mfdef.h` values, as Postfix 3.7 speaks them).
public enum MilterProtocol {
    /// The protocol version redline speaks.
    public static let version: UInt32 = 6

    /// Commands, MTA → milter (`SMFIC_*`).
    public enum Command {
        public static let abort = UInt8(ascii: "A")
        public static let body = UInt8(ascii: "B")
        public static let connect = UInt8(ascii: "C")
        public static let macro = UInt8(ascii: "D")
        public static let endOfMessage = UInt8(ascii: "E")
        public static let helo = UInt8(ascii: "H")
        public static let quitNewConnection = UInt8(ascii: "K")
        public static let header = UInt8(ascii: "L")
        public static let mail = UInt8(ascii: "M")
        public static let endOfHeaders = UInt8(ascii: "N")
        public static let optionNegotiation = UInt8(ascii: "O")
        public static let quit = UInt8(ascii: "Q")
        public static let recipient = UInt8(ascii: "R")
        public static let data = UInt8(ascii: "T")
        public static let unknown = UInt8(ascii: "U")
    }

    /// Responses, milter → MTA (`SMFIR_*`).
    public enum Response {
        public static let addRecipient = UInt8(ascii: "+")
        public static let deleteRecipient = UInt8(ascii: "-")
        public static let accept = UInt8(ascii: "a")
        public static let replaceBody = UInt8(ascii: "b")
        public static let `continue` = UInt8(ascii: "c")
        public static let discard = UInt8(ascii: "d")
        public static let connectionFail = UInt8(ascii: "f")
        public static let addHeader = UInt8(ascii: "h")
        public static let insertHeader = UInt8(ascii: "i")
        public static let changeHeader = UInt8(ascii: "m")
        public static let progress = UInt8(ascii: "p")
        public static let quarantine = UInt8(ascii: "q")
        public static let reject = UInt8(ascii: "r")
        public static let skip = UInt8(ascii: "s")
        public static let tempfail = UInt8(ascii: "t")
        public static let replyCode = UInt8(ascii: "y")
        public static let optionNegotiation = UInt8(ascii: "O")
    }

    /// Actions a milter may take (`SMFIF_*`), negotiated in OPTNEG.
    public struct Actions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let addHeaders = Actions(rawValue: 0x01)
        public static let changeBody = Actions(rawValue: 0x02)
        public static let addRecipients = Actions(rawValue: 0x04)
        public static let deleteRecipients = Actions(rawValue: 0x08)
        public static let changeHeaders = Actions(rawValue: 0x10)
        public static let quarantine = Actions(rawValue: 0x20)
        public static let changeFrom = Actions(rawValue: 0x40)
        public static let addRecipientsWithParameters = Actions(rawValue: 0x80)
        public static let setSymbolList = Actions(rawValue: 0x100)
        /// What redline asks for: add and change headers, replace the body, quarantine (0x33).
        public static let redline: Actions = [.addHeaders, .changeBody, .changeHeaders, .quarantine]
    }

    /// The largest data part of one packet redline sends (and the size of Postfix's body chunks).
    public static let maximumChunk = 65_535

    /// Macro stages in `SMFIC_MACRO` (the command letter the macros precede) that belong to a
    /// message rather than to the connection.
    static let messageMacroStages: Set<UInt8> = Set("MRTLNBE".utf8)
}
