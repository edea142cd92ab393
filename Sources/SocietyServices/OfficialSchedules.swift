/// The State Council's published holiday schedules, as the JSON a deployment can also load from
/// a file of its own (``PublishedCalendar/init(json:)``) when a new year's notice appears.
///
/// Kept in the source rather than as a package resource so that no binary depends on finding a
/// resource bundle next to it at run time. Each year names the notice it was taken from; the
/// dates were copied from the notices' texts as Xinhua published them:
/// - 2025: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号), 2024-11-12;
/// - 2026: 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04.
enum OfficialSchedules {
    static let json = """
        {
          "format": "ds.working-calendar/1",
          "jurisdiction": "CN",
          "weekend": [6, 7],
          "years": [
            {
              "year": 2025,
              "source": {
                "title": "国务院办公厅关于2025年部分节假日安排的通知",
                "reference": "国办发明电〔2024〕12号",
                "issuer": "国务院办公厅",
                "issued": "2024-11-12",
                "publishedBy": "新华社"
              },
              "holidays": [
                {"name": "元旦", "from": "2025-01-01", "to": "2025-01-01"},
                {"name": "春节", "from": "2025-01-28", "to": "2025-02-04"},
                {"name": "清明节", "from": "2025-04-04", "to": "2025-04-06"},
                {"name": "劳动节", "from": "2025-05-01", "to": "2025-05-05"},
                {"name": "端午节", "from": "2025-05-31", "to": "2025-06-02"},
                {"name": "国庆节、中秋节", "from": "2025-10-01", "to": "2025-10-08"}
              ],
              "workingWeekendDays": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
            },
            {
              "year": 2026,
              "source": {
                "title": "国务院办公厅关于2026年部分节假日安排的通知",
                "issuer": "国务院办公厅",
                "issued": "2025-11-04",
                "publishedBy": "新华社"
              },
              "holidays": [
                {"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"},
                {"name": "春节", "from": "2026-02-15", "to": "2026-02-23"},
                {"name": "清明节", "from": "2026-04-04", "to": "2026-04-06"},
                {"name": "劳动节", "from": "2026-05-01", "to": "2026-05-05"},
                {"name": "端午节", "from": "2026-06-19", "to": "2026-06-21"},
                {"name": "中秋节", "from": "2026-09-25", "to": "2026-09-27"},
                {"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"}
              ],
              "workingWeekendDays": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
            }
          ]
        }
        """
}
