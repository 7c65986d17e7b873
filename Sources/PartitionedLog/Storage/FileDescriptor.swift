import PosixFiles

/// The log's files and directories: PosixFiles' implementation (shared with the search engine) with
/// `LogError`s.
typealias FileDescriptor = PositionalFile<LogError>
typealias FileSystem = PosixFileSystem<LogError>

extension LogError: SystemCallFailure {
    public static func systemCall(_ call: String, path: String, errno: Int32) -> LogError {
        .system(call, path: path, errno: errno)
    }
}
