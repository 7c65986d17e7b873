/// The error a module wants for a failed system call. `PositionalFile` and `PosixFileSystem` are generic over
/// it, so each module (the log, the search engine) keeps its own typed errors while sharing one
/// implementation of the file calls.
public protocol SystemCallFailure: Error {
    /// `call` failed on `path` with `errno` (read at once by the caller).
    static func systemCall(_ call: String, path: String, errno: Int32) -> Self
}
