#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PosixFiles

/// The engine's files and directories: PosixFiles' implementation (shared with the log) with `SearchError`s.
/// Every path the engine touches is built from its data directory and names it generated or validated;
/// nothing here follows user-given paths.
typealias StorageFile = PositionalFile<SearchError>
typealias StorageFiles = PosixFileSystem<SearchError>

extension SearchError: SystemCallFailure {
    public static func systemCall(_ call: String, path: String, errno: Int32) -> SearchError {
        .system(call, path: path, errno: errno)
    }
}

extension PosixFileSystem where Failure == SearchError {
    /// Reads a whole small file, refusing one larger than `limit`.
    static func readAll(_ path: String, limit: Int) throws(SearchError) -> [UInt8] {
        let file = try StorageFile(path: path, flags: O_RDONLY)
        let size = try file.size()
        guard size <= limit else { throw .corruptIndex(file: path, "file of \(size) bytes is larger than the limit of \(limit)") }
        return try file.read(count: size, at: 0)
    }
}

/// Flags for creating a new file to write (for callers that do not import Glibc).
let O_WRONLY_CREATE_TRUNCATE = O_WRONLY | O_CREAT | O_TRUNC
