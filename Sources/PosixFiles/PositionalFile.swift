#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one open file descriptor and closes it on `deinit`. Every call turns a failing return code into a
/// `Failure` naming the call and the path, with `errno` read at once; `EINTR` is retried, short reads and
/// writes continue.
///
/// `@unchecked Sendable`: the descriptor is immutable after `init`, and `pread`/`pwrite`/`fdatasync` on one
/// descriptor are safe from several threads (positional I/O; callers keep a single writer per file).
public final class PositionalFile<Failure: SystemCallFailure>: @unchecked Sendable {
    public let fd: Int32
    public let path: String

    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws(Failure) {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .systemCall("open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    public func size() throws(Failure) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .systemCall("fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Reads exactly `buffer.count` bytes at `offset`, or fewer at end of file; returns how many.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(Failure) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .systemCall("pread", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// `count` bytes at `offset`, or fewer at end of file.
    public func read(count: Int, at offset: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let result: Result<Int, Failure> = bytes.withUnsafeMutableBytes { buffer in
            do throws(Failure) { return .success(try read(into: buffer, at: offset)) } catch { return .failure(error) }
        }
        let n = try result.get()
        if n < count { bytes.removeSubrange(n...) }
        return bytes
    }

    public func write(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(Failure) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            // At most 1 GiB per call: Linux transfers at most 0x7ffff000 bytes in one pwrite.
            let n = pwrite(fd, base + done, min(buffer.count - done, 1 << 30), off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .systemCall("pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    public func write(_ bytes: [UInt8], at offset: Int) throws(Failure) {
        let result: Result<Void, Failure> = bytes.withUnsafeBytes { buffer in
            do throws(Failure) { try write(buffer, at: offset) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    /// `fdatasync`: the data and the metadata needed to read it back (the size). Never retried: after a
    /// failed sync the page cache may have dropped the dirty pages, so a second one could "succeed" without
    /// the data (the PostgreSQL fsyncgate lesson). Callers stop and recover from disk.
    public func sync() throws(Failure) {
        guard fdatasync(fd) == 0 else { throw .systemCall("fdatasync", path: path, errno: errno) }
    }

    /// `fsync`: like `sync`, and every other piece of the file's metadata too. Never retried either.
    public func fullSync() throws(Failure) {
        guard fsync(fd) == 0 else { throw .systemCall("fsync", path: path, errno: errno) }
    }

    public func truncate(to size: Int) throws(Failure) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .systemCall("ftruncate", path: path, errno: errno) }
    }
}
