#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SearchError {
    /// A file that fails its checks (magic, version, CRC, bounds). The message names the file and what is wrong;
    /// OpenSearch reports Lucene's `CorruptIndexException` this way.
    static func corruptIndex(file: String, _ reason: String) -> SearchError {
        SearchError("corrupt_index_exception", "\(reason) (resource=\(file))", status: 500)
    }

    /// A failing system call, with `errno` read by the caller at once.
    static func system(_ call: String, path: String, errno code: Int32) -> SearchError {
        let message = String(cString: strerror(code))
        return SearchError("io_exception", "\(call) \(path): \(message) (errno \(code))", status: 500)
    }
}
