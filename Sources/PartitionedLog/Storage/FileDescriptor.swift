#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one open file descriptor and closes it on `deinit`. Every call turns a failing return code into a
/// `LogError` naming the call and the path, with `errno` read at once.
///
/// `@unchecked Sendable`: the descriptor is immutable after `init`, and `pread`/`pwrite`/`fdatasync` on one
/// descriptor are safe from several threads (positional I/O; the partition's single writer is the only
/// one appending).
final class FileDescriptor: @unchecked Sendable {
    let fd: Int32
    let path: String

    init(path: String, flags: Int32, mode: mode_t = 0o644) throws(LogError) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    func size() throws(LogError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Reads exactly `count` bytes at `offset`, or fewer at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("pread", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func read(count: Int, at offset: Int) throws(LogError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withMutableRawBytes { (buffer) throws(LogError) in try read(into: buffer, at: offset) }
        if n < count { bytes.removeSubrange(n...) }
        return bytes
    }

    func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(LogError) {
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .system("pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(LogError) {
        try bytes.withRawBytes { (buffer) throws(LogError) in try write(buffer, at: offset) }
    }

    /// Never retried: after a failed fsync the page cache may have dropped the dirty pages, so a second
    /// fsync could "succeed" without the data (the PostgreSQL fsyncgate lesson). Callers stop the log.
    func sync() throws(LogError) {
        guard fdatasync(fd) == 0 else { throw .system("fdatasync", path: path, errno: errno) }
    }

    func truncate(to size: Int) throws(LogError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .system("ftruncate", path: path, errno: errno) }
    }
}

/// Directory and path operations, with the same error style.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a directory if missing; a new one is made durable in its parent (fsync of the parent).
    static func makeDirectory(_ path: String, parent: String) throws(LogError) {
        if mkdir(path, 0o755) == 0 {
            try syncDirectory(parent)
        } else if errno != EEXIST {
            throw .system("mkdir", path: path, errno: errno)
        }
    }

    static func makeDirectories(_ path: String) throws(LogError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            try makeDirectory(current, parent: parent)
        }
    }

    /// Names in a directory, without "." and "..".
    static func list(_ path: String) throws(LogError) -> [String] {
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
    static func syncDirectory(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system("fsync", path: path, errno: errno) }
    }

    static func rename(_ from: String, _ to: String) throws(LogError) {
        guard Glibc.rename(from, to) == 0 else { throw .system("rename", path: from, errno: errno) }
    }

    static func remove(_ path: String) throws(LogError) {
        if unlink(path) != 0, errno != ENOENT { throw .system("unlink", path: path, errno: errno) }
    }

    static func removeDirectory(_ path: String) throws(LogError) {
        if rmdir(path) != 0, errno != ENOENT { throw .system("rmdir", path: path, errno: errno) }
    }

    /// Writes a small file atomically: temp file, fdatasync, rename over the old one, fsync the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(LogError) {
        let temporary = path + ".tmp"
        do {
            let file = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        try rename(temporary, path)
        try syncDirectory(directory)
    }

    static func readAll(_ path: String) throws(LogError) -> [UInt8] {
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        return try file.read(count: try file.size(), at: 0)
    }
}
