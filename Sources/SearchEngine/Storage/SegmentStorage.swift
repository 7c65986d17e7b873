#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PosixFiles

/// The bytes of one segment, at a stable address for the segment's lifetime: a heap copy after a refresh,
/// a read-only memory map once flushed. Both hold the same format, so one reader serves both.
///
/// `@unchecked Sendable`: the bytes are written once before `init` returns and never again; the buffer is
/// freed (or unmapped) only in `deinit`, when no reader can hold the object any more.
final class SegmentStorage: @unchecked Sendable {
    enum Backing { case heap, mapped }

    let bytes: UnsafeRawBufferPointer
    let backing: Backing

    /// A heap copy of `encoded`.
    init(copying encoded: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(encoded.count, 1), alignment: 16)
        encoded.withUnsafeBytes { source in
            if let base = source.baseAddress, let target = buffer.baseAddress { target.copyMemory(from: base, byteCount: source.count) }
        }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<encoded.count])
        backing = .heap
    }

    /// Maps a whole file read-only. Unlinking the file later is safe: the mapping keeps its pages.
    init(mapping path: String) throws(SearchError) {
        let file = try StorageFile(path: path, flags: O_RDONLY)
        let size = try file.size()
        guard size > 0 else { throw .corruptIndex(file: path, "empty segment file") }
        guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, file.fd, 0), address != MAP_FAILED else {
            throw .system("mmap", path: path, errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        backing = .mapped
    }

    deinit {
        switch backing {
        case .heap: UnsafeMutableRawBufferPointer(mutating: bytes).deallocate()
        case .mapped: munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
    }
}
