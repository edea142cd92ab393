public import SocietyCore

/// Why a one-card operation was refused. Each refusal leaves cards and ledger unchanged.
public enum OneCardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The card's life cycle does not allow this move from its current state.
    case illegalTransition(from: String, event: String)
    /// The holder already has a current card (at most one per person).
    case holderAlreadyHasCard
    /// No card with this id.
    case unknownCard(String)
    /// The holder has no current card to pay to or to use.
    case noCurrentCard
    /// A use on a card that is not activated.
    case cardNotActive(state: String)
    /// A use the holder did not enable.
    case useNotEnabled(CardUse)
    /// A use the card's generation does not support.
    case useNotSupportedByGeneration(CardUse, CardGeneration)
    /// The card is past its expiry date.
    case cardExpired
    /// The same idempotency key was used for a different instruction.
    case conflictingInstruction(id: String)
    /// A reversal of an instruction that was never paid.
    case unknownInstruction(id: String)
    /// A reversal of an instruction that is itself a reversal, or was already reversed.
    case notReversible(id: String, reason: String)
    /// A payment amount that is not positive.
    case invalidAmount(Money)
    /// A period that is not a real year and month.
    case invalidPeriod(String)
    /// An idempotency key that is empty, too long or oddly charactered.
    case invalidInstructionID(String)
    /// A settlement whose parts do not add up.
    case unbalancedSettlement(total: Money, fund: Money, selfPaid: Money)
    /// An envelope's data does not have the expected shape.
    case malformedNotice(String)
    /// A sum or split of amounts does not fit in 64-bit fen.
    case arithmetic(Money.Error)
    /// The store refused or failed the transaction; nothing it did remains.
    case store(StoreError)
    /// The cryptography port failed (card ids, pseudonyms, envelope digests).
    case crypto(CryptoError)
    /// The key provider has no searchable-hash key for pseudonyms.
    case keys(KeyProviderError)
    /// Another failure of a port or an adapter (an adapter's own error, a fraud report's handler
    /// that threw), described.
    case storage(String)

    public var description: String {
        switch self {
        case .illegalTransition(let from, let event): "a card that is \(from) cannot \(event)"
        case .holderAlreadyHasCard: "the holder already has a current social security card"
        case .unknownCard(let id): "no card \(id)"
        case .noCurrentCard: "the holder has no current social security card"
        case .cardNotActive(let state): "the card is \(state), not activated"
        case .useNotEnabled(let use): "use \(use.rawValue) is not enabled on this card"
        case .useNotSupportedByGeneration(let use, let generation):
            "generation \(generation.rawValue) cards do not support \(use.rawValue)"
        case .cardExpired: "the card has expired"
        case .conflictingInstruction(let id): "instruction \(id) was already used for a different payment"
        case .unknownInstruction(let id): "no instruction \(id) to reverse"
        case .notReversible(let id, let reason): "instruction \(id) cannot be reversed: \(reason)"
        case .invalidAmount(let amount): "amount \(amount) must be positive"
        case .invalidPeriod(let text): "period \(text) is not YYYY-MM"
        case .invalidInstructionID(let text):
            "instruction id \"\(text)\" must be 1–64 characters from A–Z a–z 0–9 - _ . :"
        case .unbalancedSettlement(let total, let fund, let selfPaid):
            "settlement of \(total) does not equal fund \(fund) plus self-paid \(selfPaid)"
        case .malformedNotice(let reason): "malformed notice: \(reason)"
        case .arithmetic(let error): "ledger arithmetic failed: \(error)"
        case .store(let error): "store: \(error)"
        case .crypto(let error): "cryptography: \(error)"
        case .keys(let error): "keys: \(error)"
        case .storage(let reason): "storage: \(reason)"
        }
    }

    /// Whether a port failed (``store(_:)``, ``crypto(_:)``, ``keys(_:)``, ``storage(_:)``) rather
    /// than the rules refusing the operation: a refusal is final for its input, a port failure may
    /// succeed when retried.
    public var isPortFailure: Bool {
        switch self {
        case .store, .crypto, .keys, .storage: true
        default: false
        }
    }
}
