import ArgumentParser
import Foundation
import SocietyCore
import SocietyJSON
import SocietyOneCard
import SocietyOpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tool's exit statuses (`taizhou --help` and README list them).
enum ExitStatus {
    /// Done.
    static let done: Int32 = 0
    /// Refused by a rule: an envelope check, a state transition, an existing file kept.
    static let refused: Int32 = 1
    /// Bad input: an option, a file's content, a value that does not validate.
    static let badInput: Int32 = 2
    /// Done, and alerts were raised (`onecard monitor`).
    static let alerts: Int32 = 3
    /// A file or store could not be read or written, or an internal error.
    static let io: Int32 = 4

    /// The text of `taizhou --help`.
    static let summary = """
        Exit status: 0 done; 1 refused by a rule; 2 bad input; 3 alerts raised; 4 I/O or internal error.
        """
}

/// Writes `error: <message>` to standard error and returns the exit code to throw: bad input ends
/// with one clear line and a non-zero status, never a backtrace.
func failure(status: Int32 = ExitStatus.refused, _ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(status)
}

/// Writes a note (not an error) to standard error, keeping standard output machine-readable.
func note(_ message: String) {
    FileHandle.standardError.write(Data("note: \(message)\n".utf8))
}

/// The JSON document at `path` (standard input for `nil` or `-`); a document that does not parse
/// is bad input, named in the message.
func readJSON(_ path: String?) throws -> JSONValue {
    do {
        return try JSONParser().parse(try readInput(path))
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw failure(status: ExitStatus.badInput, "\(path ?? "standard input") is not JSON: \(error)")
    }
}

/// Reads a file, or standard input for `nil` or `-`, refusing more than ``InputLimit/bytes``.
/// A directory, a missing or unreadable file each get their own message (exit status 4); input
/// over the limit exits with status 2.
func readInput(_ path: String?, limit: Int = InputLimit.bytes) throws -> Data {
    let name = path ?? "standard input"
    let handle: FileHandle
    if let path, path != "-" {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure(status: ExitStatus.io, "no such file: \(path)")
        }
        guard !isDirectory.boolValue else {
            throw failure(status: ExitStatus.io, "\(path) is a directory; give a file")
        }
        guard let opened = FileHandle(forReadingAtPath: path) else {
            throw failure(status: ExitStatus.io, "cannot read \(path): permission denied")
        }
        handle = opened
    } else {
        handle = FileHandle.standardInput
    }
    defer { if path != nil, path != "-" { try? handle.close() } }
    do {
        // One byte more than the limit tells "at the limit" from "over it" without reading it all.
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        guard data.count <= limit else {
            throw failure(
                status: ExitStatus.badInput,
                "\(name) is larger than \(limit) bytes (the input limit; set TAIZHOU_MAX_INPUT to change it)"
            )
        }
        return data
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw failure(status: ExitStatus.io, "cannot read \(name): \(error.localizedDescription)")
    }
}

/// Writes `data` to `path`. An existing file is kept — the command fails, naming it and `--force` —
/// unless `replacing` is true.
func writeFile(_ data: Data, to path: String, replacing: Bool = false) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard !isDirectory.boolValue else { throw failure(status: ExitStatus.io, "\(path) is a directory") }
        guard replacing else {
            throw failure("\(path) exists and was kept; give --force to replace it")
        }
    }
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw failure(status: ExitStatus.io, "cannot write \(path): \(error.localizedDescription)")
    }
}

/// Writes a private key to `path` readable by its owner only (mode 600) from the moment it exists:
/// the bytes go to a new file created with that mode beside `path`, which then replaces `path`
/// (atomically, so a reader never sees half a key). An existing file is kept unless `replacing`.
func writePrivateFile(_ data: Data, to path: String, replacing: Bool = false) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard !isDirectory.boolValue else { throw failure(status: ExitStatus.io, "\(path) is a directory") }
        guard replacing else { throw failure("\(path) exists and was kept; give --force to replace it") }
    }
    let temporary = path + ".tmp-\(UUID().uuidString)"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
        throw failure(status: ExitStatus.io, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    let written = data.withUnsafeBytes { bytes in
        bytes.baseAddress.map { write(descriptor, $0, bytes.count) } ?? 0
    }
    let synced = fsync(descriptor) == 0
    close(descriptor)
    guard written == data.count, synced, rename(temporary, path) == 0 else {
        unlink(temporary)
        throw failure(status: ExitStatus.io, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
}

/// Key files as `openssl` writes them: PKCS#8 private keys and SPKI public keys in PEM.
enum KeyFiles {
    static let crypto = OpenSSLCryptoProvider()

    /// A new key pair of `algorithm` as PEM texts (private, public).
    static func generate(_ algorithm: SignatureAlgorithm) throws -> (privatePEM: String, publicPEM: String) {
        switch algorithm {
        case .sm2:
            let key = try SM2.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .ed25519:
            let key = try Ed25519.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .p256:
            let key = try P256.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        }
    }

    /// The private key in a PEM file, whatever its algorithm.
    static func signingKey(at path: String) throws -> any SigningKey {
        let bytes = Array(try readInput(path))
        for algorithm in SignatureAlgorithm.allCases {
            if let key = try? crypto.importSigningKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        if let other = decryptionKey(bytes) {
            throw failure(
                status: ExitStatus.badInput,
                "\(path) holds an \(other.algorithm) encryption key, not a signing key (SM2, Ed25519 or P-256)"
            )
        }
        throw failure(status: ExitStatus.badInput, "\(path) holds no SM2, Ed25519 or P-256 private key in PEM (PKCS#8)")
    }

    /// A new encryption key pair of `algorithm` as PEM texts (private, public).
    static func generate(_ algorithm: EncryptionKeyAlgorithm) throws -> (privatePEM: String, publicPEM: String) {
        switch algorithm {
        case .x25519:
            let key = try X25519.KeyAgreement.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .p256:
            let key = try P256.KeyAgreement.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .sm2:
            let key = try SM2.Encryption.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        }
    }

    /// The private encryption key in a PEM file, whatever its algorithm.
    static func decryptionKey(at path: String) throws -> any DecryptionKey {
        let bytes = Array(try readInput(path))
        for algorithm in EncryptionKeyAlgorithm.allCases {
            if let key = try? crypto.importDecryptionKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        throw failure(status: ExitStatus.badInput, "\(path) holds no X25519, P-256 or SM2 private key in PEM (PKCS#8)")
    }

    /// The public encryption key in a PEM file, whatever its algorithm.
    static func encryptionKey(at path: String) throws -> any EncryptionPublicKey {
        let bytes = Array(try readInput(path))
        for algorithm in EncryptionKeyAlgorithm.allCases {
            if let key = try? crypto.importEncryptionKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        if let other = verifyingKey(bytes) {
            throw failure(
                status: ExitStatus.badInput,
                "\(path) holds an \(other.algorithm.rawValue) signing key; an encryption key (X25519, P-256 or SM2) is needed here"
            )
        }
        throw failure(status: ExitStatus.badInput, "\(path) holds no X25519, P-256 or SM2 public key in PEM (SPKI)")
    }

    private static func decryptionKey(_ bytes: [UInt8]) -> (any DecryptionKey)? {
        for algorithm in EncryptionKeyAlgorithm.allCases {
            if let key = try? crypto.importDecryptionKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        return nil
    }

    private static func encryptionKey(_ bytes: [UInt8]) -> (any EncryptionPublicKey)? {
        for algorithm in EncryptionKeyAlgorithm.allCases {
            if let key = try? crypto.importEncryptionKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        return nil
    }

    private static func verifyingKey(_ bytes: [UInt8]) -> (any VerifyingKey)? {
        for algorithm in SignatureAlgorithm.allCases {
            if let key = try? crypto.importVerifyingKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        return nil
    }

    /// The public key in a PEM file, whatever its algorithm.
    static func verifyingKey(at path: String) throws -> any VerifyingKey {
        let bytes = Array(try readInput(path))
        for algorithm in SignatureAlgorithm.allCases {
            if let key = try? crypto.importVerifyingKey(algorithm, from: bytes, encoding: .pem) { return key }
        }
        if let other = encryptionKey(bytes) {
            throw failure(
                status: ExitStatus.badInput,
                "\(path) holds an \(other.algorithm) encryption key, not a signing key: give --use enc to publish it"
            )
        }
        throw failure(status: ExitStatus.badInput, "\(path) holds no SM2, Ed25519 or P-256 public key in PEM (SPKI)")
    }
}

/// Parses a command-line value with a validating initializer, turning its error into a clear
/// usage message.
func validated<T, E: Error>(_ text: String, as name: String, _ make: (String) throws(E) -> T) throws -> T {
    do {
        return try make(text)
    } catch {
        throw ValidationError("\(name): \(error)")
    }
}

/// Runs a service call (synchronous or not), turning its typed errors into one clear line.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw failure("\(error)")
    }
}

/// Masks, in anything the tool prints, every value that validates as a citizen identity number, a
/// bank card number or a mobile number — whatever its field is called, at any depth — so that a
/// field the catalogue forgot to classify still does not print in clear. `--reveal` turns it off.
enum OutputMasking {
    /// `value` with every such string (or integral number) masked.
    static func mask(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(mask(text) ?? text)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e19, let masked = mask(String(Int64(number))) {
                .string(masked)
            } else {
                value
            }
        case .array(let items): .array(items.map(mask))
        case .object(let object): .object(maskObject(object))
        case .null, .bool: value
        }
    }

    /// Values masked, and keys too: an answer keyed by identity number (a verification's facts)
    /// must not print the numbers as keys. Two keys that mask alike stay apart (`…#2`).
    private static func maskObject(_ object: JSONObject) -> JSONObject {
        var out = JSONObject()
        for member in object {
            let key = mask(member.key) ?? member.key
            var unique = key
            var n = 2
            while out[unique] != nil {
                unique = "\(key)#\(n)"
                n += 1
            }
            out[unique] = mask(member.value)
        }
        return out
    }

    /// The masked form of `text` when it is a personal identifier; `nil` otherwise.
    static func mask(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard (11...19).contains(trimmed.count) else { return nil }
        if let id = try? ResidentID(trimmed) { return id.masked }
        if let phone = try? PhoneNumber(trimmed), phone.kind == .mobile { return phone.masked }
        if let account = try? BankAccount(trimmed) { return account.masked }
        return nil
    }
}

/// The largest envelope or JSON document the tool reads, in bytes: `--max-input` where a command
/// has it, else `TAIZHOU_MAX_INPUT`, else 8 MiB — the limit the HTTP gateway answers 413 above.
enum InputLimit {
    static let defaultBytes = 8 * 1024 * 1024

    static var bytes: Int {
        ProcessInfo.processInfo.environment["TAIZHOU_MAX_INPUT"].flatMap { Int($0) }.map { max(1, $0) }
            ?? defaultBytes
    }
}

/// `--json`: the option of every command that prints a result. Text is for a person; the JSON
/// object (canonical JSON, RFC 8785, one line per result) is for a script, with the same values
/// masked as in the text.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as one JSON object (canonical JSON, one line) instead of text.")
    var json = false

    /// Prints `text`, or `object` as one line of canonical JSON under `--json`.
    func emit(_ text: @autoclosure () -> String, json object: @autoclosure () -> JSONValue) {
        if json {
            print(object().description)
        } else {
            print(text())
        }
    }
}

extension Money {
    /// The amount for JSON output: a decimal string in yuan, exact (no binary fraction).
    var jsonValue: JSONValue { .string(yuanText) }
}
