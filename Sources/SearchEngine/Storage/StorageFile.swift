#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one open file descriptor and closes it on `deinit`. Failing calls become `SearchError`s naming the call
/// and the path, with `errno` read at once (the same shape as PartitionedLog's `FileDescriptor`).
///
/// Not `Sendable`: used by one writer, within one function, then dropped.
final class StorageFile {
    let fd: Int32
    let path: String

    init(path: String, flags: Int32, mode: mode_t = 0o644) throws(SearchError) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    func size() throws(SearchError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(SearchError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, base + done, min(buffer.count - done, 1 << 30), off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(SearchError) {
        let result: Result<Void, SearchError> = bytes.withUnsafeBytes { buffer in
            do throws(SearchError) { try write(buffer, at: offset) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    func read(count: Int, at offset: Int) throws(SearchError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        var failure: Int32 = 0
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while done < count {
                let n = pread(fd, base + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                done += n
            }
        }
        if failure != 0 { throw .system("pread", path: path, errno: failure) }
        if done < count { bytes.removeSubrange(done...) }
        return bytes
    }

    /// Never retried: after a failed fsync the kernel may have dropped the dirty pages, so a second fsync
    /// could "succeed" without the data. The caller gives up on the commit; the index recovers from disk.
    func sync() throws(SearchError) {
        guard fsync(fd) == 0 else { throw .system("fsync", path: path, errno: errno) }
    }
}

/// Directory and path operations in the same error style. Every path the engine touches is built from its
/// data directory and names it generated or validated; nothing here follows user-given paths.
enum StorageFiles {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Creates a directory and any missing parents; each new one is made durable in its parent.
    static func makeDirectories(_ path: String) throws(SearchError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            if mkdir(current, 0o755) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw .system("mkdir", path: current, errno: errno)
            }
        }
    }

    /// Names in a directory, without "." and "..", sorted.
    static func list(_ path: String) throws(SearchError) -> [String] {
        guard let dir = opendir(path) else { throw .system("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Makes a directory's entries (created, renamed, removed files) durable.
    static func syncDirectory(_ path: String) throws(SearchError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system("fsync", path: path, errno: errno) }
    }

    static func rename(_ from: String, _ to: String) throws(SearchError) {
        guard Glibc.rename(from, to) == 0 else { throw .system("rename", path: from, errno: errno) }
    }

    static func remove(_ path: String) throws(SearchError) {
        if unlink(path) != 0, errno != ENOENT { throw .system("unlink", path: path, errno: errno) }
    }

    /// Removes a directory and the plain files in it (index directories hold no subdirectories).
    static func removeDirectory(_ path: String) throws(SearchError) {
        guard exists(path) else { return }
        for name in try list(path) {
            let child = path + "/" + name
            if isDirectory(child) { try removeDirectory(child) } else { try remove(child) }
        }
        if rmdir(path) != 0, errno != ENOENT { throw .system("rmdir", path: path, errno: errno) }
    }

    /// Writes a file atomically: a temp file, fsync, rename over the target, fsync the directory. A crash
    /// leaves either the old file or the new one, never a mix.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(SearchError) {
        let temporary = path + ".tmp"
        do {
            let file = try StorageFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        try rename(temporary, path)
        try syncDirectory(directory)
    }

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
