public import Foundation

/// What a store wrote to disk, for the tests that check nothing personal is there in clear.
public enum StoreFiles {
    /// The bytes of the SQLite file at `path` and of its write-ahead log (`-wal`), where the latest
    /// transactions live until a checkpoint: a check of the main file alone would miss them.
    public static func bytes(of path: String) -> Data {
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))) ?? Data()
        }
        return bytes
    }
}
