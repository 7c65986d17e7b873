extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func storeLE<T: FixedWidthInteger>(_ value: T, at position: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: position, as: T.self) }
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_: T.Type, at position: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: position, as: T.self))
    }
}

/// Reads little-endian fields from a buffer, throwing `corrupt` rather than reading past its end.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var position: Int
    let what: String

    init(_ buffer: UnsafeRawBufferPointer, what: String) {
        self.buffer = buffer
        self.position = 0
        self.what = what
    }

    var remaining: Int { buffer.count - position }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(LogError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw LogError(.corrupt, "\(what): truncated field") }
        defer { position += size }
        return buffer.loadLE(T.self, at: position)
    }

    mutating func bytes(_ count: Int) throws(LogError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw LogError(.corrupt, "\(what): length \(count) past the end") }
        defer { position += count }
        return [UInt8](UnsafeRawBufferPointer(rebasing: buffer[position..<position + count]))
    }
}

/// `withUnsafeBytes` with a typed `LogError` (the standard library's versions only rethrow `any Error`).

extension Array where Element == UInt8 {
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(LogError) -> R) throws(LogError) -> R {
        let result: Result<R, LogError> = withUnsafeBytes { raw in
            do throws(LogError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    mutating func withMutableRawBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(LogError) -> R) throws(LogError) -> R {
        let result: Result<R, LogError> = withUnsafeMutableBytes { raw in
            do throws(LogError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension ArraySlice where Element == UInt8 {
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(LogError) -> R) throws(LogError) -> R {
        let result: Result<R, LogError> = withUnsafeBytes { raw in
            do throws(LogError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
