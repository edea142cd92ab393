import ArgumentParser

/// `taizhou`: the SDK's example tool. Each subcommand shows one flow a district developer would copy;
/// those that keep state open it through a `Deployment` (SocietyDeployment), the composition root.
/// The process starts in ``Entry``, which sets up logging first.
struct Taizhou: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the DigitalSociety SDK's flows from the command line.",
        discussion: """
            Commands that keep state work in the deployment's state folder: --state DIR, else $TAIZHOU_STATE, \
            else ./.taizhou. Nothing that exists is overwritten or deleted without --force. Personal values \
            (identity numbers, bank accounts, mobile numbers) are masked in output unless --reveal.

            \(ExitStatus.summary)
            """,
        version: "DigitalSociety \(ToolVersion.sdk)",
        subcommands: [
            IDCommand.self, OrgCommand.self, DivisionCommand.self, JSONCommand.self, KeysCommand.self,
            TrustCommand.self,
            EnvelopeCommand.self, AuditCommand.self, OneCardCommand.self, CertCommand.self, DemoCommand.self,
            DoctorCommand.self, VeteranCommand.self, GatewayCommand.self, ExchangeCommand.self, CalendarCommand.self,
            CatalogueCommand.self, ApplicationCommand.self, BundleCommand.self, ProviderCommand.self,
            ConsentCommand.self,
            UsageCommand.self, EmploymentCommand.self, HousingCommand.self, ClinicCommand.self, VaccinationCommand.self,
            ChildcareCommand.self, ElderlyCareCommand.self, EducationCommand.self, DrawCommand.self, VenueCommand.self,
            SportCommand.self, DisabilityCommand.self, CommunityCommand.self, MarketCommand.self, BoardCommand.self,
        ]
    )
}

/// The version `taizhou --version` prints.
enum ToolVersion {
    /// The SDK release the tool is built from.
    static let sdk = "0.18.0"
}
