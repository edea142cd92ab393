import Foundation

/// The demo's claim on a state folder. The demo writes only into a folder that is missing, empty,
/// or carries its marker file; re-running it there removes only the kinds of file it writes — the
/// departments' stores with their write-ahead logs, key files and load locks, the parties' keys
/// under `keys/` (a run may use another crypto profile), the trust list and the root key — and
/// keeps everything else. Any other non-empty folder is refused untouched, so `--state` pointed at
/// a real deployment loses nothing.
struct DemoFolder {
    /// The marker file's name.
    static let markerName = ".taizhou-demo"

    let url: URL

    init(_ url: URL) { self.url = url }

    /// Makes the folder ready for a run, or refuses it.
    func prepare() throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw failure(status: ExitStatus.badInput, "the state folder \(url.path) is a file, not a folder")
            }
            let names: [String]
            do {
                names = try files.contentsOfDirectory(atPath: url.path)
            } catch {
                throw failure(status: ExitStatus.io, "cannot list \(url.path): \(error.localizedDescription)")
            }
            if !names.isEmpty {
                guard names.contains(Self.markerName) else {
                    throw failure(
                        "\(url.path) is not empty and was not made by the demo (no \(Self.markerName) in it); "
                            + "nothing was changed. Give --state with a new or empty folder."
                    )
                }
                let keys = url.appendingPathComponent("keys")
                let keyNames = ((try? files.contentsOfDirectory(atPath: keys.path)) ?? []).filter {
                    $0.hasSuffix(".pem")
                }
                let doomed =
                    names.filter(Self.isDemoFile).map { url.appendingPathComponent($0) }
                    + keyNames.map { keys.appendingPathComponent($0) }
                for file in doomed {
                    do {
                        try files.removeItem(at: file)
                    } catch {
                        throw failure(status: ExitStatus.io, "cannot remove \(file.path): \(error)")
                    }
                }
            }
        }
        do {
            try files.createDirectory(at: url, withIntermediateDirectories: true)
            try Data("This folder was written by `taizhou demo`; a re-run replaces its stores and trust list.\n".utf8)
                .write(to: url.appendingPathComponent(Self.markerName))
        } catch {
            throw failure(status: ExitStatus.io, "cannot prepare \(url.path): \(error.localizedDescription)")
        }
    }

    /// Whether `name` is a kind of file the demo writes at the top of its folder.
    static func isDemoFile(_ name: String) -> Bool {
        let suffixes = [".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".sqlite-load", ".sqlite.key"]
        return suffixes.contains { name.hasSuffix($0) } || name == "trust.json" || name == "root.pub.pem"
            || name == StateOptions.profileFile
    }
}
