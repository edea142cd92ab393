/// A store with a faster path than batched puts for loading many records at once, such as the
/// first load of a district's population. ``RecordStore/bulkLoad(_:purpose:batchSize:progress:)``
/// takes that path when a store offers it, and batched writes through the port otherwise.
public protocol BulkLoadingStore: RecordStore {
    /// Puts every record `records()` yields, with the effect of ``RecordWriting/put(_:)`` on each
    /// in order (the last record with a given key wins); returns how many records were loaded.
    ///
    /// `records` is called once, on whatever thread the store loads from: a store whose load is
    /// synchronous runs it on a thread of its own rather than on one of the cooperative pool's.
    func loadInBulk<Records: Sequence>(
        _ records: @escaping @Sendable () -> Records,
        purpose: Purpose?,
        progress: ProgressHandler?
    ) async throws -> Int where Records.Element: StorableRecord
}

extension RecordStore {
    /// Puts every record `records()` yields: through the store's own bulk path when it is a
    /// ``BulkLoadingStore``, otherwise in write transactions of `batchSize` records. Returns how
    /// many records were loaded.
    ///
    /// Batched writes commit batch by batch: a failure keeps the batches written before it. A
    /// bulk-loading store states its own guarantee (SQLite's load is all or nothing).
    public func bulkLoad<Records: Sequence>(
        _ records: @escaping @Sendable () -> Records,
        purpose: Purpose?,
        batchSize: Int = 1_000,
        progress: ProgressHandler? = nil
    ) async throws -> Int where Records.Element: StorableRecord {
        if let bulk = self as? any BulkLoadingStore {
            return try await bulk.loadInBulk(records, purpose: purpose, progress: progress)
        }
        let size = max(1, batchSize)
        var batch: [Records.Element] = []
        batch.reserveCapacity(size)
        var loaded = 0
        var meter = ProgressMeter("bulk load", total: nil, every: size, handler: progress)
        for record in records() {
            batch.append(record)
            if batch.count == size {
                try await write(purpose: purpose) { [batch] db in try await db.put(contentsOf: batch) }
                loaded += batch.count
                meter.advance(by: batch.count)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty {
            try await write(purpose: purpose) { [batch] db in try await db.put(contentsOf: batch) }
            loaded += batch.count
            meter.advance(by: batch.count)
        }
        meter.finish()
        return loaded
    }
}
