import ArgumentParser

/// `taizhou`: the SDK's example tool. Each subcommand shows one flow a district developer would copy.
@main
struct Taizhou: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the DigitalSociety SDK's flows from the command line.",
        subcommands: [
            IDCommand.self, OrgCommand.self, DivisionCommand.self, JSONCommand.self, KeysCommand.self,
            TrustCommand.self,
            EnvelopeCommand.self, AuditCommand.self, OneCardCommand.self, CertCommand.self, DemoCommand.self,
            DoctorCommand.self, VeteranCommand.self,
        ]
    )
}
