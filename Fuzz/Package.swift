// swift-tools-version: 6.1
//
// libFuzzer targets for the SDK's parsers, in their own package so that `swift build` and
// `swift test` on the SDK never need the fuzzing toolchain. See README.md for the commands.

import PackageDescription

let package = Package(
    name: "DigitalSocietyFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "DigitalSociety", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "FuzzCanonicalJSON",
            dependencies: [.product(name: "SocietyJSON", package: "DigitalSociety")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "FuzzEnvelopeOpen",
            dependencies: [
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietyJSON", package: "DigitalSociety"),
                .product(name: "SocietyExchange", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
