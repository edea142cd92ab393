/// The bundled excerpt of GB/T 2260 (中华人民共和国行政区划代码): every province-level unit, and
/// Jiangsu down to county level, with the retired codes that still appear in older records.
///
/// Source: the Ministry of Civil Affairs' published code lists (2023 edition for current codes);
/// retirement years from the State Council approvals of those changes. Codes outside the table still
/// validate by shape (see ``DivisionCode``); they only lack a name.
enum DivisionTable {
    struct Entry: Sendable {
        let code: Int
        let name: String
        /// The year the code stopped being used, for retired codes.
        let retiredIn: Int?

        init(_ code: Int, _ name: String, retiredIn: Int? = nil) {
            self.code = code
            self.name = name
            self.retiredIn = retiredIn
        }
    }

    static let entries: [Entry] = [
        // Province-level units.
        Entry(110000, "北京市"), Entry(120000, "天津市"), Entry(130000, "河北省"), Entry(140000, "山西省"),
        Entry(150000, "内蒙古自治区"), Entry(210000, "辽宁省"), Entry(220000, "吉林省"),
        Entry(230000, "黑龙江省"), Entry(310000, "上海市"), Entry(320000, "江苏省"), Entry(330000, "浙江省"),
        Entry(340000, "安徽省"), Entry(350000, "福建省"), Entry(360000, "江西省"), Entry(370000, "山东省"),
        Entry(410000, "河南省"), Entry(420000, "湖北省"), Entry(430000, "湖南省"), Entry(440000, "广东省"),
        Entry(450000, "广西壮族自治区"), Entry(460000, "海南省"), Entry(500000, "重庆市"),
        Entry(510000, "四川省"), Entry(520000, "贵州省"), Entry(530000, "云南省"), Entry(540000, "西藏自治区"),
        Entry(610000, "陕西省"), Entry(620000, "甘肃省"), Entry(630000, "青海省"),
        Entry(640000, "宁夏回族自治区"), Entry(650000, "新疆维吾尔自治区"), Entry(710000, "台湾省"),
        Entry(810000, "香港特别行政区"), Entry(820000, "澳门特别行政区"),

        // Jiangsu: prefectures and county-level units.
        Entry(320100, "南京市"), Entry(320102, "玄武区"), Entry(320104, "秦淮区"), Entry(320105, "建邺区"),
        Entry(320106, "鼓楼区"), Entry(320111, "浦口区"), Entry(320113, "栖霞区"), Entry(320114, "雨花台区"),
        Entry(320115, "江宁区"), Entry(320116, "六合区"), Entry(320117, "溧水区"), Entry(320118, "高淳区"),

        Entry(320200, "无锡市"), Entry(320205, "锡山区"), Entry(320206, "惠山区"), Entry(320211, "滨湖区"),
        Entry(320213, "梁溪区"), Entry(320214, "新吴区"), Entry(320281, "江阴市"), Entry(320282, "宜兴市"),

        Entry(320300, "徐州市"), Entry(320302, "鼓楼区"), Entry(320303, "云龙区"), Entry(320305, "贾汪区"),
        Entry(320311, "泉山区"), Entry(320312, "铜山区"), Entry(320321, "丰县"), Entry(320322, "沛县"),
        Entry(320324, "睢宁县"), Entry(320381, "新沂市"), Entry(320382, "邳州市"),

        Entry(320400, "常州市"), Entry(320402, "天宁区"), Entry(320404, "钟楼区"), Entry(320411, "新北区"),
        Entry(320412, "武进区"), Entry(320413, "金坛区"), Entry(320481, "溧阳市"),

        Entry(320500, "苏州市"), Entry(320505, "虎丘区"), Entry(320506, "吴中区"), Entry(320507, "相城区"),
        Entry(320508, "姑苏区"), Entry(320509, "吴江区"), Entry(320581, "常熟市"), Entry(320582, "张家港市"),
        Entry(320583, "昆山市"), Entry(320585, "太仓市"),

        Entry(320600, "南通市"), Entry(320612, "通州区"), Entry(320613, "崇川区"), Entry(320614, "海门区"),
        Entry(320623, "如东县"), Entry(320681, "启东市"), Entry(320682, "如皋市"), Entry(320685, "海安市"),
        Entry(320602, "崇川区", retiredIn: 2020), Entry(320611, "港闸区", retiredIn: 2020),
        Entry(320684, "海门市", retiredIn: 2020),

        Entry(320700, "连云港市"), Entry(320703, "连云区"), Entry(320706, "海州区"), Entry(320707, "赣榆区"),
        Entry(320722, "东海县"), Entry(320723, "灌云县"), Entry(320724, "灌南县"),

        Entry(320800, "淮安市"), Entry(320803, "淮安区"), Entry(320804, "淮阴区"), Entry(320812, "清江浦区"),
        Entry(320813, "洪泽区"), Entry(320826, "涟水县"), Entry(320830, "盱眙县"), Entry(320831, "金湖县"),

        Entry(320900, "盐城市"), Entry(320902, "亭湖区"), Entry(320903, "盐都区"), Entry(320904, "大丰区"),
        Entry(320921, "响水县"), Entry(320922, "滨海县"), Entry(320923, "阜宁县"), Entry(320924, "射阳县"),
        Entry(320925, "建湖县"), Entry(320981, "东台市"),

        Entry(321000, "扬州市"), Entry(321002, "广陵区"), Entry(321003, "邗江区"), Entry(321012, "江都区"),
        Entry(321023, "宝应县"), Entry(321081, "仪征市"), Entry(321084, "高邮市"),

        Entry(321100, "镇江市"), Entry(321102, "京口区"), Entry(321111, "润州区"), Entry(321112, "丹徒区"),
        Entry(321181, "丹阳市"), Entry(321182, "扬中市"), Entry(321183, "句容市"),

        // Taizhou (泰州市): the SDK's home city. Jiangyan became a district in 2012 (321284 → 321204).
        Entry(321200, "泰州市"), Entry(321202, "海陵区"), Entry(321203, "高港区"), Entry(321204, "姜堰区"),
        Entry(321281, "兴化市"), Entry(321282, "靖江市"), Entry(321283, "泰兴市"),
        Entry(321284, "姜堰市", retiredIn: 2012),

        Entry(321300, "宿迁市"), Entry(321302, "宿城区"), Entry(321311, "宿豫区"), Entry(321322, "沭阳县"),
        Entry(321323, "泗阳县"), Entry(321324, "泗洪县"),
    ]

    static let byCode: [Int: Entry] = Dictionary(entries.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    /// The two-digit prefixes that GB/T 2260 assigns to province-level units.
    static let provincePrefixes: Set<Int> = Set(entries.filter { $0.code % 10_000 == 0 }.map { $0.code / 10_000 })
}
