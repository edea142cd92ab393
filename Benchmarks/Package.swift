// swift-tools-version: 6.1
//
// Benchmarks live in their own package so that `swift test` on the SDK never builds them.
// Each executable compares the SDK with a baseline in the same run and prints medians and ratios.
// Run from this folder: `swift run -c release bench-json` (see Documentation/Performance.md).

import PackageDescription

/// A benchmark executable using BenchSupport and the named products of the SDK.
func benchmark(_ name: String, uses products: [String], packages: [(String, String)] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["BenchSupport"] + products.map { .product(name: $0, package: "DigitalSociety") }
            + packages.map { .product(name: $0.0, package: $0.1) }
    )
}

let package = Package(
    name: "DigitalSocietyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "DigitalSociety", path: ".."),
        // bench-gateway runs the gateway in a ServiceGroup and quiets its log.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "BenchSupport"),
        benchmark("bench-json", uses: ["SocietyJSON"]),
        benchmark("bench-crypto", uses: ["SocietyCore", "SocietyOpenSSL"]),
        benchmark("bench-exchange", uses: ["SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOpenSSL"]),
        benchmark("bench-confidential", uses: ["SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOpenSSL"]),
        benchmark("bench-store", uses: ["SocietyCore", "SocietySQLite", "SocietyOpenSSL"]),
        benchmark("bench-onecard", uses: ["SocietyCore", "SocietyOneCard", "SocietySQLite", "SocietyOpenSSL"]),
        benchmark(
            "bench-replay",
            uses: [
                "SocietyCore", "SocietyExchange", "SocietyJSON", "SocietyOpenSSL", "SocietyPostgres", "SocietyTesting",
            ]
        ),
        benchmark(
            "bench-pgstore",
            uses: ["SocietyCore", "SocietyOpenSSL", "SocietyPostgres", "SocietySQLite", "SocietyTesting"]
        ),
        benchmark(
            "bench-gateway",
            uses: ["SocietyCore", "SocietyDeployment", "SocietyExchange", "SocietyExchangeClient", "SocietyGateway", "SocietyJSON"],
            packages: [("ServiceLifecycle", "swift-service-lifecycle"), ("Logging", "swift-log")]
        ),
        benchmark(
            "bench-consent",
            uses: ["SocietyCore", "SocietyExchange", "SocietyJSON", "SocietyMarketplace", "SocietyOpenSSL", "SocietySQLite", "SocietyTesting"]
        ),
        benchmark(
            "bench-employment",
            uses: ["SocietyCore", "SocietyEmployment", "SocietyOneCard", "SocietySynthetic", "SocietySQLite", "SocietyOpenSSL"],
            packages: [("Logging", "swift-log")]
        ),
        benchmark(
            "bench-equipment",
            uses: ["SocietyCore", "SocietyDraw", "SocietyMarketSupervision", "SocietyServices", "SocietySQLite", "SocietyOpenSSL"],
            packages: [("Logging", "swift-log")]
        ),
        benchmark(
            "bench-discovery",
            uses: ["SocietyCore", "SocietyAssistance", "SocietySynthetic", "SocietySQLite", "SocietyOpenSSL"]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
