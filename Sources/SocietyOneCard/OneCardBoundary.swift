import Logging
import SocietyCore

extension OneCardError {
    /// What a port, a rule or a closure threw, as this module's error: the module's own errors
    /// pass through, the ports' errors are wrapped, anything else is described.
    init(wrapping error: any Error) {
        switch error {
        case let error as OneCardError: self = error
        case let error as StoreError: self = .store(error)
        case let error as CryptoError: self = .crypto(error)
        case let error as KeyProviderError: self = .keys(error)
        case let error as Money.Error: self = .arithmetic(error)
        default: self = .storage(String(describing: error))
        }
    }

    /// The case's name (`"noCurrentCard"`), for log lines and metrics: an associated value may be
    /// personal, the name never is.
    public var caseName: String {
        switch self {
        case .illegalTransition: "illegalTransition"
        case .holderAlreadyHasCard: "holderAlreadyHasCard"
        case .unknownCard: "unknownCard"
        case .noCurrentCard: "noCurrentCard"
        case .cardNotActive: "cardNotActive"
        case .useNotEnabled: "useNotEnabled"
        case .useNotSupportedByGeneration: "useNotSupportedByGeneration"
        case .cardExpired: "cardExpired"
        case .conflictingInstruction: "conflictingInstruction"
        case .unknownInstruction: "unknownInstruction"
        case .notReversible: "notReversible"
        case .invalidAmount: "invalidAmount"
        case .invalidPeriod: "invalidPeriod"
        case .invalidInstructionID: "invalidInstructionID"
        case .unbalancedSettlement: "unbalancedSettlement"
        case .malformedNotice: "malformedNotice"
        case .arithmetic: "arithmetic"
        case .store: "store"
        case .crypto: "crypto"
        case .keys: "keys"
        case .storage: "storage"
        }
    }
}

extension Logger {
    /// Runs one public operation of the module: whatever `body` throws leaves as a
    /// ``OneCardError``, logged at `.warning` with the operation and the error's case name only.
    func oneCardOperation<T>(
        _ operation: String,
        _ body: () async throws -> T
    ) async throws(OneCardError) -> T {
        do {
            return try await body()
        } catch {
            let failure = OneCardError(wrapping: error)
            warning(
                "operation failed",
                metadata: ["operation": "\(operation)", "error": "\(failure.caseName)"]
            )
            throw failure
        }
    }

    /// ``oneCardOperation(_:_:)`` for synchronous work.
    func synchronousOneCardOperation<T>(_ operation: String, _ body: () throws -> T) throws(OneCardError) -> T {
        do {
            return try body()
        } catch {
            let failure = OneCardError(wrapping: error)
            warning(
                "operation failed",
                metadata: ["operation": "\(operation)", "error": "\(failure.caseName)"]
            )
            throw failure
        }
    }
}
