// swift-tools-version: 6.1
//
// DigitalSociety: an embeddable Swift SDK for a city's digital society platform
// (Taizhou "1+8+N" plan). See Documentation/Architecture.md for the layers.

import PackageDescription

let package = Package(
    name: "DigitalSociety",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DigitalSociety", targets: ["DigitalSociety"]),
        .library(name: "SocietyCore", targets: ["SocietyCore"]),
        .library(name: "SocietyJSON", targets: ["SocietyJSON"]),
        .library(name: "SocietyExchange", targets: ["SocietyExchange"]),
        .library(name: "SocietyOneCard", targets: ["SocietyOneCard"]),
        .library(name: "SocietySynthetic", targets: ["SocietySynthetic"]),
        .library(name: "SocietyAssistance", targets: ["SocietyAssistance"]),
        .library(name: "SocietyOpenSSL", targets: ["SocietyOpenSSL"]),
        .library(name: "SocietySQLite", targets: ["SocietySQLite"]),
        .library(name: "SocietyCertificates", targets: ["SocietyCertificates"]),
        .library(name: "SocietyHealth", targets: ["SocietyHealth"]),
        .library(name: "SocietyVeterans", targets: ["SocietyVeterans"]),
        .library(name: "SocietyServices", targets: ["SocietyServices"]),
        .library(name: "SocietyMarketplace", targets: ["SocietyMarketplace"]),
        .library(name: "SocietyEmployment", targets: ["SocietyEmployment"]),
        .library(name: "SocietyHousing", targets: ["SocietyHousing"]),
        .library(name: "SocietyChildcare", targets: ["SocietyChildcare"]),
        .library(name: "SocietyElderlyCare", targets: ["SocietyElderlyCare"]),
        .library(name: "SocietyDraw", targets: ["SocietyDraw"]),
        .library(name: "SocietyEducation", targets: ["SocietyEducation"]),
        .library(name: "SocietyCultureSport", targets: ["SocietyCultureSport"]),
        .library(name: "SocietyDisability", targets: ["SocietyDisability"]),
        .library(name: "SocietyCommunity", targets: ["SocietyCommunity"]),
        .library(name: "SocietyMarketSupervision", targets: ["SocietyMarketSupervision"]),
        .library(name: "SocietyIndicators", targets: ["SocietyIndicators"]),
        .library(name: "SocietyTesting", targets: ["SocietyTesting"]),
        .library(name: "SocietyDeployment", targets: ["SocietyDeployment"]),
        .library(name: "SocietyPostgres", targets: ["SocietyPostgres"]),
        .library(name: "SocietyPostgresDeployment", targets: ["SocietyPostgresDeployment"]),
        .library(name: "SocietyGateway", targets: ["SocietyGateway"]),
        .library(name: "SocietyExchangeClient", targets: ["SocietyExchangeClient"]),
        .executable(name: "taizhou", targets: ["taizhou"]),
        .executable(name: "first-steps", targets: ["first-steps"]),
        .executable(name: "accessibility-app", targets: ["accessibility-app"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Logging is the one dependency of the pure modules: services and adapters log through
        // swift-log's Logger, so an application routes their lines wherever its own go.
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // The PostgreSQL adapter's wire protocol and connection pool (SwiftNIO underneath).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        // The HTTP gateway (server), its life cycle and metrics, and the client that calls it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
    ],
    targets: [
        // MARK: C libraries, linked from the system (see README: libssl-dev, libsqlite3-dev)
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),

        // MARK: Pure modules (Foundation only)
        .target(name: "SocietyCore", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "SocietyJSON"),
        .target(name: "SocietyExchange", dependencies: ["SocietyCore", "SocietyJSON"]),
        // Certificates implement the application desk's material check (SocietyServices' port).
        .target(
            name: "SocietyCertificates",
            dependencies: ["SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyServices"]
        ),

        // MARK: Domains (pure; they meet through SocietyCore and the exchange)
        .target(name: "SocietyOneCard", dependencies: ["SocietyCore", "SocietyJSON", "SocietyExchange"]),
        .target(
            name: "SocietyHealth",
            dependencies: ["SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOneCard", "SocietyServices"]
        ),
        // Veterans' benefits are paid through the one-card ledger and certified by e-certificate (plan item 13).
        .target(
            name: "SocietyVeterans",
            dependencies: ["SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOneCard", "SocietyCertificates"]
        ),
        .target(name: "SocietySynthetic", dependencies: ["SocietyCore", "SocietyJSON"]),
        // Housing (plan item 6): real-estate registration, the transfer bundle, public rental housing
        // and the provident fund.
        .target(
            name: "SocietyHousing",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyServices", "SocietyCertificates",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Employment (plan item 5): unemployment registration and benefit, subsidies decided by rules,
        // job fairs and the unemployment early warning, paying through the one-card.
        .target(
            name: "SocietyEmployment",
            dependencies: [
                "SocietyCore", "SocietyExchange", "SocietyOneCard", "SocietyServices",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Childcare (plan item 3): filing, classes under the ratio rules, enrolment with the health and
        // vaccination checks, practitioners' credit, quality grading, the subsidy through the one-card.
        .target(
            name: "SocietyChildcare",
            dependencies: [
                "SocietyCore", "SocietyHealth", "SocietyOneCard", "SocietyServices",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Elderly care (plan item 9): capability assessments, care plans, home-care orders, institution
        // grading, the subsidy through the one-card, and the data port marketplace providers consume.
        .target(
            name: "SocietyElderlyCare",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyCertificates", "SocietyOneCard",
                "SocietyServices", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The verifiable public draw (committed seed, documented shuffle, signed result), shared by
        // school enrolment and market supervision's random inspections.
        .target(
            name: "SocietyDraw",
            dependencies: ["SocietyCore", "SocietyJSON", .product(name: "Logging", package: "swift-log")]
        ),
        // Education (plan item 4): sunshine enrolment with the public lottery, exam scores as
        // e-certificates, student aid, canteen traceability, course resources.
        .target(
            name: "SocietyEducation",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyCertificates", "SocietyOneCard",
                "SocietyServices", "SocietyDraw", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Culture, tourism and sport (plan item 10): timed-entry reservations with offline entry passes,
        // sports events, the 15-minute fitness circle.
        .target(
            name: "SocietyCultureSport",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Disability services (plan item 12): the register, the two subsidies through the one-card,
        // children's rehabilitation and home renovation on the shared life cycle.
        .target(
            name: "SocietyDisability",
            dependencies: [
                "SocietyCore", "SocietyCertificates", "SocietyOneCard", "SocietyServices",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Community and rural services (plan items 14 and 15): grids and special groups, the family
        // archive assembled by envelope with the household's consent, bill payments, rural monitoring.
        .target(
            name: "SocietyCommunity",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOneCard", "SocietyServices",
                "SocietyMarketplace", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Market supervision (plan item 16): market entities and their licences as e-certificates, the
        // "double random, one public" inspections on the shared verifiable draw, credit classes, special
        // equipment and its inspection warnings, the food and drug chain with recalls.
        .target(
            name: "SocietyMarketSupervision",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyCertificates", "SocietyServices", "SocietyDraw",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The progress board (晾晒台): indicators, targets, early warnings and projects, published as a
        // static site; it sits above the domains, like the composition root, and no domain imports it.
        .target(
            name: "SocietyIndicators",
            dependencies: ["SocietyCore", .product(name: "Logging", package: "swift-log")]
        ),
        // The resident-service foundation every domain runs its applications on (plan items 1–2):
        // the working-day calendar, the catalogue and the application life cycle.
        .target(
            name: "SocietyServices",
            dependencies: ["SocietyCore", .product(name: "Logging", package: "swift-log")]
        ),
        // Third-party providers (plan item 17): residents' consents, signed and revocable through the
        // status lists e-certificates use, checked at the departments' envelope boundary.
        .target(
            name: "SocietyMarketplace",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyCertificates", "SocietyServices",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Social assistance runs its applications on the shared life cycle of resident services.
        .target(
            name: "SocietyAssistance",
            dependencies: ["SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOneCard", "SocietyServices"]
        ),

        // MARK: Reference adapters
        .target(name: "SocietyOpenSSL", dependencies: ["SocietyCore", "COpenSSL"]),
        // The stored form of a record (binary body, sealed fields, keyed hashes), shared by the
        // SQLite and PostgreSQL stores so that both keep byte-identical rows; not a product.
        .target(name: "SocietyRecordFormat", dependencies: ["SocietyCore"]),
        .target(
            name: "SocietySQLite",
            dependencies: [
                "SocietyCore", "SocietyRecordFormat", "CSQLite", .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // PostgreSQL: the replay guard and the audit log for several processes on one server.
        .target(
            name: "SocietyPostgres",
            dependencies: [
                "SocietyCore", "SocietyRecordFormat", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: The exchange over HTTP: the gateway (Hummingbird) and the client (AsyncHTTPClient),
        // apart so that a provider that only calls builds no server.
        .target(
            name: "SocietyGateway",
            dependencies: [
                "SocietyCore", "SocietyExchange", "SocietyJSON", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SocietyExchangeClient",
            dependencies: [
                "SocietyCore", "SocietyExchange", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Testing kit: in-memory twins of the ports, fixtures and the store conformance suite.
        // It may use the reference adapters (OpenSSL hashes the in-memory audit tree); nothing but
        // tests and a district's own test targets depend on it.
        .target(
            name: "SocietyTesting",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyOpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Composition root: configuration → departments on SQLite and OpenSSL, and the
        // domain services built from them. Other stores plug in through its StoreFactory.
        .target(
            name: "SocietyDeployment",
            dependencies: [
                "SocietyCore", "SocietyExchange", "SocietyOpenSSL", "SocietySQLite", "SocietyOneCard", "SocietyHealth",
                "SocietyVeterans", "SocietyCertificates", "SocietyAssistance",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The composition root's PostgreSQL store factory, apart from both so that an application on
        // SQLite builds no server package and the adapter needs no domain module.
        .target(
            name: "SocietyPostgresDeployment",
            dependencies: ["SocietyCore", "SocietyDeployment", "SocietyPostgres"]
        ),

        // MARK: Umbrella
        .target(
            name: "DigitalSociety",
            dependencies: [
                "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyCertificates", "SocietyOneCard",
                "SocietyHealth",
                "SocietyVeterans", "SocietyAssistance", "SocietySynthetic", "SocietyServices", "SocietyMarketplace",
                "SocietyEmployment", "SocietyHousing", "SocietyChildcare", "SocietyElderlyCare",
                "SocietyDraw", "SocietyEducation", "SocietyCultureSport",
                "SocietyDisability", "SocietyCommunity", "SocietyMarketSupervision", "SocietyIndicators",
            ]
        ),

        // MARK: Example tools
        .executableTarget(
            name: "taizhou",
            dependencies: [
                "SocietyCore",
                "SocietyJSON",
                "SocietyExchange",
                "SocietyOpenSSL",
                "SocietySQLite",
                "SocietyOneCard",
                "SocietyCertificates",
                "SocietySynthetic",
                "SocietyAssistance",
                "SocietyHealth",
                "SocietyVeterans",
                "SocietyServices",
                "SocietyDeployment",
                "SocietyPostgres",
                "SocietyPostgresDeployment",
                "SocietyGateway",
                "SocietyExchangeClient",
                "SocietyMarketplace",
                "SocietyEmployment",
                "SocietyHousing",
                "SocietyChildcare",
                "SocietyElderlyCare",
                "SocietyDraw",
                "SocietyEducation",
                "SocietyCultureSport",
                "SocietyDisability",
                "SocietyCommunity",
                "SocietyMarketSupervision",
                "SocietyIndicators",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/taizhou"
        ),

        // The newcomer's first program (Documentation: Getting started); CI builds and runs it.
        .executableTarget(
            name: "accessibility-app",
            dependencies: [
                "SocietyCore", "SocietyExchange", "SocietyJSON", "SocietyDeployment", "SocietyCertificates",
                "SocietyServices", "SocietyMarketplace", "SocietyGateway", "SocietyExchangeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/accessibility-app"
        ),
        .executableTarget(
            name: "first-steps",
            dependencies: ["SocietyCore", "SocietyExchange", "SocietyJSON", "SocietyDeployment"],
            path: "Examples/first-steps"
        ),

        // MARK: Tests
        // The Python of the interoperability scripts, shared by the test targets that run them.
        .target(name: "InteropSupport", path: "Tests/InteropSupport"),
        .target(
            name: "OneCardTestSupport",
            dependencies: ["SocietyCore", "SocietyOneCard"],
            path: "Tests/OneCardTestSupport"
        ),
        .target(
            name: "SQLiteTestSupport",
            dependencies: ["SocietyCore", "SocietyOpenSSL", "SocietySQLite", "SocietyTesting"],
            path: "Tests/SQLiteTestSupport"
        ),
        .testTarget(name: "SocietyCoreTests", dependencies: ["SocietyCore"]),
        .testTarget(name: "SocietyJSONTests", dependencies: ["SocietyJSON"]),
        .testTarget(name: "SocietyOpenSSLTests", dependencies: ["SocietyOpenSSL", "SocietyCore"]),
        .testTarget(
            name: "SocietyExchangeTests",
            dependencies: [
                "SocietyTesting", "SocietyExchange", "SocietyOpenSSL", "SocietyJSON", "SocietySQLite", "InteropSupport",
            ],
            exclude: ["Interop"]
        ),
        .executableTarget(
            name: "SQLiteCrashWriter",
            dependencies: ["SocietySQLite", "SocietyOpenSSL", "SocietyCore"],
            path: "Tests/SQLiteCrashWriter"
        ),
        .testTarget(
            name: "SocietySQLiteTests",
            dependencies: [
                "SocietyTesting", "SocietySQLite", "SocietyOpenSSL", "SocietyCore", "SQLiteCrashWriter",
                "SocietySynthetic",
            ]
        ),
        .testTarget(
            name: "SocietyCertificatesTests",
            dependencies: [
                "SocietyTesting", "SocietyCertificates", "SocietyOpenSSL", "SocietyJSON", "SocietyExchange",
                "InteropSupport", "SocietyServices",
            ],
            exclude: ["Interop"]
        ),
        .testTarget(
            name: "SocietyOneCardTests",
            dependencies: [
                "SocietyTesting", "SocietyOneCard", "SocietySQLite", "SocietyOpenSSL", "SocietyExchange", "SocietyJSON",
            ]
        ),
        .testTarget(name: "SocietySyntheticTests", dependencies: ["SocietySynthetic"]),
        .testTarget(
            name: "SocietyAssistanceTests",
            dependencies: [
                "SocietySQLite", "SocietyTesting",
                "SocietyAssistance", "SocietyExchange", "SocietyOpenSSL", "SocietyJSON", "SocietyCore",
                "SocietyOneCard", "SocietyServices",
            ]
        ),
        .testTarget(
            name: "SocietyHealthTests",
            dependencies: [
                "SocietyTesting", "SocietyHealth", "SocietySQLite", "SocietyOpenSSL", "SocietyExchange", "SocietyJSON",
                "InteropSupport", "SocietyOneCard",
            ],
            exclude: ["Interop"]
        ),
        .testTarget(
            name: "SocietyIndicatorsTests",
            dependencies: ["SocietyIndicators", "SocietyTesting", "SocietyCore", "SQLiteTestSupport"]
        ),
        .testTarget(
            name: "SocietyCommunityTests",
            dependencies: [
                "OneCardTestSupport", "SQLiteTestSupport", "SocietyTesting", "SocietyCommunity", "SocietyOneCard",
                "SocietyServices", "SocietyExchange", "SocietyDeployment", "SocietyMarketplace", "SocietyJSON",
            ]
        ),
        .testTarget(
            name: "SocietyDisabilityTests",
            dependencies: ["OneCardTestSupport", 
                "SQLiteTestSupport", "SocietyTesting", "SocietyDisability", "SocietyOneCard", "SocietyServices",
                "SocietyCertificates",
            ]
        ),
        .testTarget(
            name: "SocietyMarketSupervisionTests",
            dependencies: [
                "SQLiteTestSupport", "SocietyTesting", "SocietyMarketSupervision", "SocietyDraw", "SocietyServices",
                "SocietyCertificates", "SocietyExchange", "SocietyJSON", "SocietySQLite", "SocietyOpenSSL",
                "InteropSupport",
            ],
            exclude: ["Interop"]
        ),
        .testTarget(
            name: "SocietyCultureSportTests",
            dependencies: [
                "SQLiteTestSupport", "SocietyTesting", "SocietyCultureSport", "SocietyJSON", "SocietySQLite",
                "SocietyOpenSSL",
            ]
        ),
        .testTarget(
            name: "SocietyEducationTests",
            dependencies: ["OneCardTestSupport", 
                "SQLiteTestSupport",
                "SocietyTesting", "SocietyEducation", "SocietyDraw", "SocietyOneCard", "SocietyServices",
                "SocietyCertificates", "SocietyExchange", "SocietyJSON", "SocietySQLite", "SocietyOpenSSL",
            ]
        ),
        .testTarget(
            name: "SocietyDrawTests",
            dependencies: [
                "SQLiteTestSupport",
                "SocietyTesting", "SocietyDraw", "SocietyJSON", "SocietySQLite", "SocietyOpenSSL", "InteropSupport",
            ],
            exclude: ["Interop"]
        ),
        .testTarget(
            name: "SocietyElderlyCareTests",
            dependencies: ["OneCardTestSupport", 
                "SQLiteTestSupport",
                "SocietyTesting", "SocietyElderlyCare", "SocietyOneCard", "SocietyServices", "SocietyCertificates",
                "SocietyExchange", "SocietyJSON", "SocietySQLite", "SocietyOpenSSL",
            ]
        ),
        .testTarget(
            name: "SocietyChildcareTests",
            dependencies: ["OneCardTestSupport", 
                "SQLiteTestSupport",
                "SocietyTesting", "SocietyChildcare", "SocietyHealth", "SocietyOneCard", "SocietyServices",
                "SocietySQLite", "SocietyOpenSSL",
            ]
        ),
        .testTarget(
            name: "SocietyHousingTests",
            dependencies: [
                "SocietyTesting", "SocietyHousing", "SocietyServices", "SocietySQLite", "SocietyOpenSSL",
                "SocietyExchange",
                "SocietyCertificates", "SocietyJSON",
            ]
        ),
        .testTarget(
            name: "SocietyEmploymentTests",
            dependencies: [
                "SocietyTesting", "SocietyEmployment", "SocietyOneCard", "SocietyServices", "SocietySQLite",
                "SocietyOpenSSL", "SocietyExchange", "SocietyJSON",
            ]
        ),
        .testTarget(
            name: "SocietyVeteransTests",
            dependencies: [
                "SocietyTesting",
                "SocietyVeterans", "SocietyOneCard", "SocietyCertificates", "SocietySQLite", "SocietyOpenSSL",
                "SocietyExchange", "SocietyJSON",
            ]
        ),
        .testTarget(
            name: "SocietyMarketplaceTests",
            dependencies: [
                "SocietyMarketplace", "SocietyCore", "SocietyJSON", "SocietyExchange", "SocietyCertificates",
                "SocietyTesting", "SocietySQLite", "SocietyOpenSSL", "SocietyServices",
            ]
        ),
        .testTarget(
            name: "SocietyServicesTests",
            dependencies: ["SocietyServices", "SocietyCore", "SocietyTesting", "SocietySQLite", "SocietyOpenSSL"]
        ),
        .testTarget(
            name: "TaizhouCLITests",
            dependencies: [
                "taizhou", "SocietyCore", "SocietyPostgres", "SocietyTesting", "SocietyDeployment",
                "SocietyPostgresDeployment", "SocietyExchange", "SocietyJSON", "SocietyAssistance", "SocietyServices",
                "SocietyOpenSSL", "SocietySynthetic",
            ]
        ),
        // Opens envelope ids against a PostgreSQL replay guard, or appends to its audit log, from a
        // process of its own, so the tests race real processes, not tasks.
        .executableTarget(
            name: "PostgresReplayChild",
            dependencies: ["SocietyPostgres", "SocietyCore", "SocietyOpenSSL", "SocietyOneCard", "SocietyTesting"],
            path: "Tests/PostgresReplayChild"
        ),
        .testTarget(
            name: "SocietyPostgresTests",
            dependencies: [
                "SocietyPostgres", "SocietyCore", "SocietyOpenSSL", "SocietySQLite", "SocietyTesting",
                "SocietyOneCard", "PostgresReplayChild",
            ]
        ),
        .testTarget(
            name: "SocietyGatewayTests",
            dependencies: [
                "SocietyGateway", "SocietyExchangeClient", "SocietyExchange", "SocietyCore", "SocietyJSON",
                "SocietyOpenSSL", "SocietySQLite", "SocietyTesting", "InteropSupport", "SocietyDeployment",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Interop"]
        ),
        .testTarget(
            name: "SocietyDeploymentTests",
            dependencies: ["SocietyDeployment", "SocietyCore", "SocietyExchange", "SocietySQLite", "SocietyTesting"]
        ),
    ]
)

// The same language settings for every Swift target: Swift 6 mode (strict concurrency) and
// upcoming features that make imports and existentials explicit.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
