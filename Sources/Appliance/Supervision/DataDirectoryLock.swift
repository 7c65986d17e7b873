import Foundation

/// An exclusive lock on the data directory, so that two appliances never write the same log and sink.
///
/// `flock` on `<data_dir>/moodle-pipeline.lock`, held for the life of the object; the kernel drops it
/// when the process dies, so a crash never leaves a stale lock. The file records the holder's pid.
public final class DataDirectoryLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public init(dataDirectory: String) throws(ApplianceError) {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw ApplianceError(.dataDirectory, "cannot create the data directory \(dataDirectory): \(ApplianceConfig.reason(error))")
        }
        path = (dataDirectory as NSString).appendingPathComponent("moodle-pipeline.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ApplianceError(.dataDirectory, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(descriptor)
            throw ApplianceError(.dataDirectoryInUse, "the data directory \(dataDirectory) is in use by another moodle-pipeline (pid \(holder.isEmpty ? "?" : holder)); stop it or choose another --data-dir")
        }
        ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
    }

    deinit {
        ftruncate(descriptor, 0)
        close(descriptor)
    }
}
