/// An ethnic group as coded in GB/T 3304-1991 (中国各民族名称的罗马字母拼写法和代码).
///
/// The 56 recognised groups have codes 01–56; 97 is "other, not yet identified" and 98 "Chinese
/// citizen of foreign origin".
public struct Ethnicity: Hashable, Sendable, CustomStringConvertible {
    /// The two-digit numeric code.
    public let code: Int

    /// Why a code names no ethnic group.
    public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not 01–56, 97 or 98.
        case unknownCode(String)

        public var description: String {
            switch self {
            case .unknownCode(let code): "ethnicity code \(code) is not in GB/T 3304 (01–56, 97, 98)"
            }
        }
    }

    static let names = [
        "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
        "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
        "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
        "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
        "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
        "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
    ]

    /// Creates an ethnicity from its two-digit code (`"01"` or `"1"`).
    public init(code text: String) throws(ValidationError) {
        guard let value = Int(text), (1...56).contains(value) || value == 97 || value == 98 else {
            throw .unknownCode(text)
        }
        self.code = value
    }

    /// 汉族, code 01.
    public static let han = Ethnicity(trusted: 1)

    private init(trusted code: Int) { self.code = code }

    /// The Chinese name.
    public var name: String {
        switch code {
        case 97: "其他未识别民族"
        case 98: "外国血统中国籍人士"
        default: Ethnicity.names[code - 1]
        }
    }

    /// The two-digit code as text.
    public var codeText: String { code < 10 ? "0\(code)" : "\(code)" }

    /// `01 汉族`.
    public var description: String { "\(codeText) \(name)" }
}

extension Ethnicity: CanonicalTextCodable {
    /// Parses the canonical text with the same checks as ``init(code:)``.
    public static func parsing(canonicalText text: String) throws(ValidationError) -> Self { try Self(code: text) }

    /// The canonical text.
    public var canonicalText: String { codeText }
}
