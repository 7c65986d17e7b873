import CZlib
import Synchronization

/// zlib (deflate, zlib format) of one batch payload. Streams are reused (`deflateReset`/`inflateReset`):
/// setting one up allocates and clears ~256 KiB for deflate, which would cost more than compressing a
/// small batch.
enum Zlib {
    static func compress(_ input: [UInt8]) throws(LogError) -> [UInt8] {
        let stream = ZlibStreams.deflaters.take(orMake: { ZlibStream(deflate: true) })
        defer { ZlibStreams.deflaters.give(back: stream) }
        let z = stream.pointer
        guard deflateReset(z) == Z_OK else { throw LogError(.invalidArgument, "zlib: deflateReset failed") }
        let bound = Int(deflateBound(z, uLong(input.count)))
        var status: Int32 = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            input.withUnsafeBufferPointer { source in
                z.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                z.pointee.avail_in = uInt(source.count)
                z.pointee.next_out = buffer.baseAddress
                z.pointee.avail_out = uInt(bound)
                status = deflate(z, Z_FINISH)
                count = Int(z.pointee.total_out)
            }
        }
        guard status == Z_STREAM_END else { throw LogError(.invalidArgument, "zlib deflate failed (status \(status))") }
        return output
    }

    static func decompress(_ input: UnsafeRawBufferPointer, size: Int, what: String) throws(LogError) -> [UInt8] {
        let stream = ZlibStreams.inflaters.take(orMake: { ZlibStream(deflate: false) })
        defer { ZlibStreams.inflaters.give(back: stream) }
        let z = stream.pointer
        guard inflateReset(z) == Z_OK else { throw LogError(.corrupt, "\(what): zlib inflateReset failed") }
        var status: Int32 = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            z.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            z.pointee.avail_in = uInt(input.count)
            z.pointee.next_out = buffer.baseAddress
            z.pointee.avail_out = uInt(size)
            status = inflate(z, Z_FINISH)
            count = Int(z.pointee.total_out)
        }
        guard status == Z_STREAM_END, output.count == size else {
            throw LogError(.corrupt, "\(what): zlib payload does not inflate to its stated size (status \(status))")
        }
        return output
    }
}

/// One z_stream on the heap (zlib keeps a pointer back to it: it must not move).
/// `@unchecked Sendable`: a stream is used by one thread at a time, handed over through `ZlibStreams`.
final class ZlibStream: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<z_stream>
    let deflating: Bool

    init(deflate: Bool) {
        deflating = deflate
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let size = Int32(MemoryLayout<z_stream>.size)
        // Initialisation only fails on memory exhaustion; the first reset then reports it.
        if deflate {
            _ = deflateInit_(pointer, Z_BEST_SPEED, zlibVersion(), size)
        } else {
            _ = inflateInit_(pointer, zlibVersion(), size)
        }
    }

    deinit {
        if deflating { deflateEnd(pointer) } else { inflateEnd(pointer) }
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

/// Free lists of zlib streams, a few per kind (as many as threads compress at once).
final class ZlibStreams: Sendable {
    static let deflaters = ZlibStreams()
    static let inflaters = ZlibStreams()
    private let free = Mutex<[ZlibStream]>([])

    func take(orMake make: () -> ZlibStream) -> ZlibStream {
        free.withLock { $0.popLast() } ?? make()
    }

    func give(back stream: ZlibStream) {
        free.withLock { if $0.count < 16 { $0.append(stream) } }
    }
}
