package import SocietyCore
package import SocietyJSON

/// Why a field of an envelope's `data` could not be read: the message domain modules pass on in
/// their own "malformed notice" errors.
package struct DataFieldError: Error, CustomStringConvertible {
    /// What is wrong, naming the field.
    package let description: String
}

extension JSONValue {
    /// The text member `name` of an envelope's data object.
    package func text(_ name: String) throws(DataFieldError) -> String {
        guard let text = self[name]?.stringValue else {
            throw DataFieldError(description: "\"\(name)\" is missing or not text")
        }
        return text
    }

    /// The text member `name`, parsed and validated as a `T` (a date, an identity number, a code).
    package func parsed<T: CanonicalTextCodable>(_ name: String, as type: T.Type) throws(DataFieldError) -> T {
        let text = try text(name)
        do {
            return try T.parsing(canonicalText: text)
        } catch {
            throw DataFieldError(description: "\"\(name)\": \(error)")
        }
    }
}
