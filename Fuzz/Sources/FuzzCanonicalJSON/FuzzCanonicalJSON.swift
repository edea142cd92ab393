// libFuzzer entry point for RFC 8785 canonicalization. The file is deliberately not main.swift:
// libFuzzer supplies main() and calls LLVMFuzzerTestOneInput for every input.
//
// Property: parsing never crashes (it returns a value or a typed JSONParseError), and when the
// input parses, canonicalizing the canonical form gives the same bytes again (idempotence), and
// both parse to equal values.

import SocietyJSON

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let canonical: [UInt8]
    do {
        canonical = try JSONValue.canonicalize(input)
    } catch {
        // A typed rejection is fine; its offset must point into (or just past) the input.
        if error.offset < 0 || error.offset > size { trap("offset \(error.offset) outside 0...\(size)") }
        return 0
    }
    do {
        let again = try JSONValue.canonicalize(canonical)
        if again != canonical { trap("canonical form is not a fixed point") }
        if try JSONValue(parsing: canonical) != JSONValue(parsing: input) { trap("canonical form changed the value") }
    } catch {
        trap("canonical output does not parse: \(error)")
    }
    return 0
}

/// Stops the process so that libFuzzer records the input as a crash.
private func trap(_ message: String) -> Never {
    print("FuzzCanonicalJSON: \(message)")
    preconditionFailure(message)
}
