/// Top-level domains a spelled-out e-mail address may end in (``SpelledEmailFinder``): every
/// two-letter country code top-level domain, the generic ones people's and companies' mailboxes
/// use, and the internationalised country domains of the scripts the normalisation keeps. A word
/// after a spelled `dot` that is not one of these (`at 10 dot 30`, `polka dot dresses`) ends no
/// address. Not the whole IANA root zone: `.dot`, `.one` or `.today` after a spelled `dot` are
/// far likelier to be English than an address.
enum TopLevelDomains {
    static let countryCodes = """
        ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz \
        ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk \
        fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir \
        is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk \
        ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl \
        pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc \
        td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
        """
    static let generic = """
        com net org edu gov mil info biz app dev xyz online site store shop tech email cloud blog club \
        website agency company digital group solutions services london scot wales cymru
        """
    /// Internationalised country domains (Cyrillic, Greek, Chinese, Korean, Thai, Devanagari…).
    static let international = "рф укр бел срб қаз мкд мон ελ ευ 中国 中國 香港 台湾 台灣 新加坡 한국 ไทย भारत 公司 网络"

    static let all: Set<[UInt8]> = Set((countryCodes + " " + generic + " " + international)
        .split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Array($0.utf8) })

    /// Whether `text[label]` is one of them (ASCII letters in any case).
    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ label: Range<Int>) -> Bool {
        guard label.count >= 2, label.count <= 12 else { return false }
        return all.contains(text[label].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
    }
}
