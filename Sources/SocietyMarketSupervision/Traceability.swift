public import SocietyCore

/// What a traced product is.
public enum ProductKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Food.
    case food
    /// A drug.
    case drug
    /// A medical device.
    case medicalDevice = "medical-device"
}

/// A product batch put on the market by its producer: the start of its chain.
public struct ProductBatch: Hashable, Sendable, Codable {
    /// The batch id (product code and batch number).
    public let id: String
    /// The product's name.
    public let product: String
    /// The kind.
    public let kind: ProductKind
    /// The producer.
    public let producer: CreditCode
    /// The production day.
    public let produced: CalendarDate
    /// Units produced.
    public let quantity: Int
    /// Recalled: no further transfer is allowed.
    public internal(set) var recalled: Bool

    /// A batch; an id and a product of 1–128 characters, a positive quantity.
    public init(
        id: String,
        product: String,
        kind: ProductKind,
        producer: CreditCode,
        produced: CalendarDate,
        quantity: Int
    ) throws(MarketSupervisionError) {
        guard (1...128).contains(id.count) else { throw .invalid("a batch has an id of 1–128 characters") }
        guard (1...128).contains(product.count) else { throw .invalid("a batch names its product") }
        guard quantity > 0 else { throw .invalid("a batch has a positive quantity, not \(quantity)") }
        self.id = id
        self.product = product
        self.kind = kind
        self.producer = producer
        self.produced = produced
        self.quantity = quantity
        self.recalled = false
    }
}

extension ProductBatch: StorableRecord {
    /// The table name.
    public static let recordKind = "market_batch"
    /// By producer.
    public static let indexes: [RecordIndex<ProductBatch>] = [RecordIndex("producer") { .text($0.producer.value) }]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// One transfer of part of a batch from one holder to the next (producer → distributor →
/// retailer): each a record, so the chain is the batch's transfers.
public struct BatchTransfer: Hashable, Sendable, Codable {
    /// The transfer's id: the batch and a sequence number.
    public let id: String
    /// The batch.
    public let batch: String
    /// Who handed it on.
    public let from: CreditCode
    /// Who received it.
    public let to: CreditCode
    /// Units.
    public let quantity: Int
    /// The day.
    public let date: CalendarDate
}

extension BatchTransfer: StorableRecord {
    /// The table name.
    public static let recordKind = "market_batch_transfer"
    /// By batch (the chain) and by receiver.
    public static let indexes: [RecordIndex<BatchTransfer>] = [
        RecordIndex("batch") { .text($0.batch) },
        RecordIndex("receiver") { .text($0.to.value) },
    ]
    /// The id.
    public var recordKey: RecordKey { RecordKey(id) }
}

/// A recall of a batch: every holder downstream of the producer, however many steps away.
public struct Recall: Hashable, Sendable, Codable {
    /// One holder the recall reaches.
    public struct Holder: Hashable, Sendable, Codable {
        /// The holder.
        public let entity: CreditCode
        /// Steps from the producer (1: received from the producer).
        public let depth: Int
        /// Whom it first received the batch from.
        public let via: CreditCode
        /// Units received in all.
        public let received: Int
        /// Units it still holds (received less handed on).
        public let held: Int
    }

    /// The batch.
    public let batch: String
    /// Why.
    public let reason: String
    /// The day.
    public let date: CalendarDate
    /// The producer.
    public let producer: CreditCode
    /// Every downstream holder, nearest first.
    public let holders: [Holder]
}

extension Recall: StorableRecord {
    /// The table name.
    public static let recordKind = "market_recall"
    /// The batch.
    public var recordKey: RecordKey { RecordKey(batch) }
}
