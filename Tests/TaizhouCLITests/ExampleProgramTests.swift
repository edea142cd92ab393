import Foundation
import Testing

/// The example programs of `Examples/`, run as a reader runs them.
@Suite("Example programs")
struct ExampleProgramTests {
    @Test("accessibility-app: onboarding, consent, a fetch through the gateway, revocation, the refusal, the report")
    func accessibilityApp() throws {
        let run = try CLIRunner.run([], timeLimit: 300, program: "accessibility-app")
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.lines
        #expect(lines.first == "1. 91320214745555318W/access-app onboarded: agreement v1, trust list v2")
        #expect(lines.contains { $0.hasPrefix("2. 3212**********0117 consented: cns-") && $0.contains("as psn-") })
        #expect(
            lines.contains {
                $0.hasPrefix("3. the app fetched through http://127.0.0.1:")
                    && $0.hasSuffix(#": {"category":"physical","district":"321202","level":"2"}"#)
            }
        )
        #expect(
            lines.contains {
                $0.hasPrefix("4. after revocation: refused: 403 consent: consent cns-") && $0.hasSuffix("was revoked")
            }
        )
        let report = lines.drop { !$0.hasPrefix("5. who used") }.dropFirst().prefix { $0.hasPrefix("   ") }
        #expect(report.count == 3)
        #expect(report.filter { $0.contains("provider call for marketplace.accessibility under cns-") }.count == 1)
        #expect(report.contains { $0.contains("put for dpf.registry") })
        #expect(report.contains { $0.contains("read for dpf.answer") })
        #expect(lines.last?.hasSuffix(": 1 call(s), signed by 113212000142871106/dpf") == true)
        // Nothing personal in clear: the number is masked, the provider only ever saw a pseudonym.
        #expect(!run.standardOutput.contains("321202196005010117"))
    }
}
