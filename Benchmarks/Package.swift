// swift-tools-version: 6.1
//
// Benchmarks live in their own package so that `swift test` on the SDK never builds them.
// Each executable compares the SDK with a baseline in the same run and prints medians and ratios.
// Run from this folder: `swift run -c release bench-json` (see Documentation/Performance.md).

import PackageDescription

let package = Package(
    name: "DigitalSocietyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "DigitalSociety", path: "..")
    ],
    targets: [
        .target(name: "BenchSupport"),
        .executableTarget(
            name: "bench-json",
            dependencies: ["BenchSupport", .product(name: "SocietyJSON", package: "DigitalSociety")]
        ),
        .executableTarget(
            name: "bench-crypto",
            dependencies: [
                "BenchSupport",
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ]
        ),
        .executableTarget(
            name: "bench-exchange",
            dependencies: [
                "BenchSupport",
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietyJSON", package: "DigitalSociety"),
                .product(name: "SocietyExchange", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ]
        ),
        .executableTarget(
            name: "bench-confidential",
            dependencies: [
                "BenchSupport",
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietyJSON", package: "DigitalSociety"),
                .product(name: "SocietyExchange", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ]
        ),
        .executableTarget(
            name: "bench-store",
            dependencies: [
                "BenchSupport",
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietySQLite", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ]
        ),
        .executableTarget(
            name: "bench-onecard",
            dependencies: [
                "BenchSupport",
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietyOneCard", package: "DigitalSociety"),
                .product(name: "SocietySQLite", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ]
        ),
        .executableTarget(
            name: "bench-discovery",
            dependencies: [
                "BenchSupport",
                .product(name: "SocietyCore", package: "DigitalSociety"),
                .product(name: "SocietyAssistance", package: "DigitalSociety"),
                .product(name: "SocietySynthetic", package: "DigitalSociety"),
                .product(name: "SocietySQLite", package: "DigitalSociety"),
                .product(name: "SocietyOpenSSL", package: "DigitalSociety"),
            ]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
