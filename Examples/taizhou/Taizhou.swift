import ArgumentParser

/// `taizhou`: the SDK's example tool. Each subcommand shows one flow a district developer would copy;
/// those that keep state open it through a `Deployment` (SocietyDeployment), the composition root.
/// The process starts in ``Entry``, which sets up logging first.
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
