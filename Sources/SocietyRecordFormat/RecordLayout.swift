package import SocietyCore

/// What a record type declares about its storage, checked once: its kind, its sensitive fields in
/// a fixed order, and its index names (which name tables and columns in every store, so they must
/// be lowercase identifiers, distinct, and at most 48 characters).
package struct RecordLayout: Sendable {
    package let kind: String
    package let sensitiveFields: [String]
    /// Index names in declaration order.
    package let indexNames: [String]
    /// The searchable sensitive indexes (kept as keyed hashes).
    package let sensitiveIndexes: Set<String>

    package init<Record: StorableRecord>(_ type: Record.Type) throws {
        kind = Record.recordKind
        try RecordLayout.validate(kind)
        sensitiveFields = Record.sensitiveFields.sorted()
        var names: [String] = []
        var sensitive: Set<String> = []
        for index in Record.indexes {
            try RecordLayout.validate(index.name)
            guard !names.contains(index.name) else { throw StoreError.invalidName(index.name) }
            names.append(index.name)
            if index.isSensitive { sensitive.insert(index.name) }
        }
        indexNames = names
        sensitiveIndexes = sensitive
    }

    /// Lowercase ASCII letters, digits and `_`, starting with a letter, at most 48 characters.
    package static func validate(_ name: String) throws {
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, (0x61...0x7A).contains(first), utf8.count <= 48,
            utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F })
        else { throw StoreError.invalidName(name) }
    }
}
