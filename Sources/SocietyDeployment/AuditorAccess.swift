import SocietyOpenSSL
public import SocietySQLite

extension Deployment {
    /// The audit log in the store file at `path`, opened the way an auditor's tool needs: without
    /// the store's keys (the log is not encrypted), only if the file is already an SDK store, and
    /// creating or changing nothing (``SocietySQLite/SQLiteAuditLog/init(path:crypto:createIfMissing:)``
    /// with `createIfMissing: false`). Only signing a checkpoint writes to it.
    ///
    /// A static entry of the composition root rather than a department: an auditor points at any
    /// store file, of any deployment.
    public static func auditLog(ofStoreAt path: String) throws -> SQLiteAuditLog {
        try SQLiteAuditLog(path: path, crypto: OpenSSLCryptoProvider(), createIfMissing: false)
    }
}
