import Foundation
import SocietyCore
import Testing

/// The README's first command at a small size: it must run, say what it did, and never print a
/// full identity number.
@Suite("taizhou demo")
struct DemoCLITests {
    func run(_ extra: [String]) throws -> CLIRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tz-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try CLIRunner.run(["demo", "--residents", "2000", "--applications", "12"] + extra, in: directory)
    }

    @Test("the demo runs every flow and reports them", arguments: ["standard", "national"])
    func demo(profile: String) throws {
        let run = try run(["--profile", profile])
        #expect(run.status == 0, "\(run.standardError)")
        let output = run.standardOutput
        #expect(output.contains("synthetic Taizhou, 2000 residents, \(profile) crypto profile"))
        #expect(output.contains("\(profile == "national" ? "SM2-SM3" : "EdDSA") signatures"))
        #expect(output.contains("12 applications, 168 envelopes exchanged (168 encrypted to their recipient)"))
        #expect(output.contains("not eligible because"))
        #expect(output.contains("eligible for"))
        #expect(output.contains(profile == "national" ? "from envelope sm3:" : "from envelope sha256:"))
        #expect(output.contains("a retried batch paid 0 more"))
        #expect(
            output.contains("Decided (办结) on the shared application life cycle: 12 of 12, 12 within the promised 20")
        )
        #expect(output.contains("Family-doctor contracts signed for"))
        #expect(output.contains("12 households applied once for application, economic verification"))
        #expect(output.contains("(48 parts, 3 departments); 12 done"))
        #expect(output.contains("preferential care paid to 3 through the one-card ledger"))
        #expect(output.contains("Employment (就业, plan item 5):"))
        #expect(output.contains("Benefit claims decided by the rules:"))
        #expect(
            output.range(of: #"through the one-card: [1-9][0-9]* paid, 0 refused"#, options: .regularExpression) != nil
        )
        #expect(output.contains("Unemployment early warning"))
        #expect(output.contains("Housing (住房, plan item 6):"))
        #expect(output.contains("Home-transfer bundle (一件事): 3 parts, all completed"))
        #expect(output.contains("transfer registered on the tax receipt envelope as 苏("))
        #expect(output.contains("housed in one round"))
        #expect(output.contains("Health services (医疗, plan item 7):"))
        #expect(output.contains("Newborn bundle (出生一件事): 4 parts, all completed"))
        #expect(output.contains("HepB-1, BCG-1 given at birth, next HepB-2 from"))
        #expect(output.contains("1 overdue — catch up MMR-2; school entry on"))
        #expect(output.contains("3f. Childcare (托育, plan item 3): an institution filed (receipt due by"))
        #expect(output.contains("Refused: 3212**********") && output.contains(" carer(s) at 1:5 > "))
        #expect(output.contains("3g. Elderly care (养老, plan item 9): ") && output.contains("→ care plan: "))
        #expect(output.contains("checked in and out (60 minutes), rated 5★"))
        #expect(output.contains("3h. Education (教育, plan item 4): 泰州市实验小学: "))
        #expect(output.contains("re-run it:") && output.contains("taizhou draw rerun --seed "))
        #expect(output.contains("3i. Culture, tourism and sport (文旅体, plan item 10): 泰州市博物馆 "))
        #expect(output.contains("admitted offline at 08:50, refused at 07:50; entry recorded"))
        #expect(output.contains("15-minute fitness circle (1,000 m): 321"))
        #expect(
            output.contains("3j. Disability services (残疾人, plan item 12): ")
                && output.contains("disabled residents on the register")
        )
        #expect(
            output.contains("3k. Community and rural (社区 and 农村, plan items 14–15): grid ")
                && output.contains(
                    "dibao and disabled asked of civil affairs by envelope for this look, the look recorded"
                )
        )
        #expect(
            output.range(
                of:
                    #"assembled with its consent \(signed by the 一网通办 desk, valid a day\): civil-affairs\.archive [1-9]"#,
                options: .regularExpression
            ) != nil && !output.contains("; missing ")
        )
        #expect(
            output.range(of: #"Rural monitoring \(防止返贫监测\): [1-9][0-9]* households"#, options: .regularExpression)
                != nil
        )
        #expect(output.contains("Services reaching villages: "))
        #expect(
            output.range(
                of:
                    #"3l\. Market supervision \(市场监管, plan item 16\): plan [0-9]{4}-food-[0-9]+ — seeds committed before the lists, [1-9] of 30 food shops drawn"#,
                options: .regularExpression
            ) != nil
        )
        #expect(
            (output.contains("(left out for a conflict of interest: ZF-001: 亲属经营)")
                || output.contains("(the one declared, ZF-001 with shop 1, did not arise)"))
                && output.contains("法定代表人 ")
        )
        #expect(output.contains("re-run the draw from the revealed seeds: taizhou market disclose --plan "))
        #expect(
            output.contains("4 downstream holders found, 250 at depth 1, 200 at depth 2, 100 at depth 2, 50 at depth 3")
        )
        #expect(
            output.range(
                of: #"8\. Progress board \(晾晒台\): [1-6] of 6 indicators measured through the domains' public APIs"#,
                options: .regularExpression
            ) != nil && output.contains("/board/index.html")
        )
        #expect(output.contains("verified offline"))
        #expect(output.contains("0 alert(s) from 5 rules"))
        #expect(output.contains("after revocation: refused"))
        #expect(output.contains("every log verifies"))
        // No full identity number anywhere: every 18-character run that is a valid ID would be a leak.
        let characters = Array(output)
        var leaks = 0
        for start in 0..<max(0, characters.count - 17) {
            let candidate = String(characters[start..<start + 18])
            if candidate.first?.isNumber == true, (try? ResidentID(candidate)) != nil { leaks += 1 }
        }
        #expect(leaks == 0)
    }

    @Test("bad options give a clear message")
    func badOptions() throws {
        let run = try run(["--profile", "quantum"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("--profile must be standard or national"))
    }
}
