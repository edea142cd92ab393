import Foundation
import SocietyCore
import SocietySQLite
import Testing

struct Account: StorableRecord {
    static let recordKind = "account"
    static let indexes: [RecordIndex<Account>] = [RecordIndex("balance") { .integer(Int64($0.balance)) }]
    var number: Int
    var balance: Int
    var recordKey: RecordKey { RecordKey("acct-\(number)") }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("readers and a writer for three seconds: no SQLITE_BUSY reaches the caller, every read is consistent")
    func readersAndWriter() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let store = try fixture.store()
        let accounts = 50
        try store.write(purpose: Purpose(constant: "open")) { db in
            for n in 0..<accounts { try db.put(Account(number: n, balance: 1000)) }
        }
        let deadline = Date().addingTimeInterval(3)
        let failures = Locked<[String]>([])
        let counts = Locked<(writes: Int, reads: Int)>((0, 0))
        let group = DispatchGroup()
        func spawn(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            let thread = Thread {
                body()
                group.leave()
            }
            thread.start()
        }
        spawn {
            var generator = SystemRandomNumberGenerator()
            while Date() < deadline {
                do {
                    try store.write(purpose: Purpose(constant: "transfer")) { db in
                        let from = Int.random(in: 0..<accounts, using: &generator)
                        let to = Int.random(in: 0..<accounts, using: &generator)
                        guard from != to, var a = try db.get(Account.self, key: RecordKey("acct-\(from)")),
                            var b = try db.get(Account.self, key: RecordKey("acct-\(to)"))
                        else { return }
                        let amount = Int.random(in: 1...50, using: &generator)
                        a.balance -= amount
                        b.balance += amount
                        try db.put(a)
                        try db.put(b)
                    }
                    counts.withLock { $0.writes += 1 }
                } catch {
                    failures.withLock { $0.append("writer: \(error)") }
                }
            }
        }
        for reader in 0..<3 {
            spawn {
                while Date() < deadline {
                    do {
                        let (sum, count) = try store.read { db in
                            var sum = 0
                            var count = 0
                            try db.forEach(RecordQuery<Account>.all) { account in
                                sum += account.balance
                                count += 1
                                return true
                            }
                            return (sum, count)
                        }
                        if sum != accounts * 1000 || count != accounts {
                            failures.withLock { $0.append("reader \(reader): sum \(sum), count \(count)") }
                        }
                        counts.withLock { $0.reads += 1 }
                    } catch {
                        failures.withLock { $0.append("reader \(reader): \(error)") }
                    }
                }
            }
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
        let (writes, reads) = counts.withLock { $0 }
        #expect(writes > 10)
        #expect(reads > 10)
        #expect(try await store.auditLog.verify().isValid)
    }
}

/// A value behind an `NSLock` (a pthread mutex), which ThreadSanitizer sees; `Synchronization.Mutex`
/// is futex-based on Linux, so TSan reports the accesses it protects as races.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
