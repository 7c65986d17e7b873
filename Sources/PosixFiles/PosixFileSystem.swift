#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directory and path operations in `PositionalFile`'s error style. New directories, renames and atomic
/// writes are made durable in their parent directory.
public enum PosixFileSystem<Failure: SystemCallFailure> {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The size of the file at `path`, 0 when it cannot be read.
    public static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Creates a directory if missing; a new one is made durable in its parent (fsync of the parent).
    public static func makeDirectory(_ path: String, parent: String) throws(Failure) {
        if mkdir(path, 0o755) == 0 {
            try syncDirectory(parent)
        } else if errno != EEXIST {
            throw .systemCall("mkdir", path: path, errno: errno)
        }
    }

    /// Creates a directory and any missing parents, each new one durable in its parent.
    public static func makeDirectories(_ path: String) throws(Failure) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            try makeDirectory(current, parent: parent)
        }
    }

    /// Names in a directory, without "." and "..", sorted.
    public static func list(_ path: String) throws(Failure) -> [String] {
        guard let dir = opendir(path) else { throw .systemCall("opendir", path: path, errno: errno) }
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
    public static func syncDirectory(_ path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .systemCall("open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .systemCall("fsync", path: path, errno: errno) }
    }

    public static func rename(_ from: String, _ to: String) throws(Failure) {
        #if canImport(Glibc)
        let renamed = Glibc.rename(from, to)
        #else
        let renamed = Darwin.rename(from, to)
        #endif
        guard renamed == 0 else { throw .systemCall("rename", path: from, errno: errno) }
    }

    /// Removes a file; one already gone is not an error.
    public static func remove(_ path: String) throws(Failure) {
        if unlink(path) != 0, errno != ENOENT { throw .systemCall("unlink", path: path, errno: errno) }
    }

    /// Removes an empty directory; one already gone is not an error.
    public static func removeDirectory(_ path: String) throws(Failure) {
        if rmdir(path) != 0, errno != ENOENT { throw .systemCall("rmdir", path: path, errno: errno) }
    }

    /// Removes a directory with everything in it.
    public static func removeTree(_ path: String) throws(Failure) {
        guard exists(path) else { return }
        for name in try list(path) {
            let child = path + "/" + name
            if isDirectory(child) { try removeTree(child) } else { try remove(child) }
        }
        try removeDirectory(path)
    }

    /// Writes a small file atomically: a temp file, `fdatasync`, rename over the target, fsync of the
    /// directory. A crash leaves either the old file or the new one, never a mix.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(Failure) {
        let temporary = path + ".tmp"
        do {
            let file = try PositionalFile<Failure>(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        try rename(temporary, path)
        try syncDirectory(directory)
    }

    /// A whole file.
    public static func readAll(_ path: String) throws(Failure) -> [UInt8] {
        let file = try PositionalFile<Failure>(path: path, flags: O_RDONLY)
        return try file.read(count: try file.size(), at: 0)
    }
}
