import PosixFiles
import StreamProcessing

/// The small metadata files of an index (`index.meta`, `commit`, `<segment>_<gen>.del`): a 4-byte magic, a
/// format version (UInt32), the payload length (UInt64), the payload, and a CRC-32 of everything before it.
/// Written atomically (temp file, fsync, rename, fsync of the directory); refused on any mismatch.
enum ChecksummedFile {
    static let version: UInt32 = 1
    static let overhead = 4 + 4 + 8 + 4

    static func encode(magic: String, payload: [UInt8]) -> [UInt8] {
        var bytes = Array(magic.utf8.prefix(4))
        bytes.appendLE(version)
        bytes.appendLE(UInt64(payload.count))
        bytes += payload
        bytes.appendLE(CRC32.checksum(bytes))
        return bytes
    }

    static func decode(_ bytes: [UInt8], magic: String, file: String) throws(SearchError) -> [UInt8] {
        guard bytes.count >= overhead else { throw .corruptIndex(file: file, "file of \(bytes.count) bytes is truncated") }
        guard Array(bytes[0..<4]) == Array(magic.utf8.prefix(4)) else { throw .corruptIndex(file: file, "bad magic (not a \(magic) file)") }
        return try bytes.withRawBytes { (raw) throws(SearchError) -> [UInt8] in
            let fileVersion = raw.loadLE(UInt32.self, at: 4)
            guard fileVersion == version else { throw .corruptIndex(file: file, "format version \(fileVersion) is not supported (expected \(version))") }
            let length = raw.loadLE(UInt64.self, at: 8)
            guard length == UInt64(bytes.count - overhead) else { throw .corruptIndex(file: file, "length \(length) does not match the file size \(bytes.count)") }
            let stored = raw.loadLE(UInt32.self, at: bytes.count - 4)
            let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(bytes.count - 4)]))
            guard stored == computed else { throw .corruptIndex(file: file, "checksum failed (expected \(stored), computed \(computed))") }
            return Array(bytes[16..<(bytes.count - 4)])
        }
    }

    static func write(magic: String, payload: [UInt8], to path: String, directory: String) throws(SearchError) {
        try StorageFiles.writeAtomically(encode(magic: magic, payload: payload), to: path, directory: directory)
    }

    static func read(magic: String, from path: String) throws(SearchError) -> [UInt8] {
        try decode(StorageFiles.readAll(path, limit: SearchLimits.maxMetadataFileBytes), magic: magic, file: path)
    }

    /// A JSON payload (metadata and commit files are JSON inside the checksummed frame: readable, and
    /// parsed by the package's own parser).
    static func readJSON(magic: String, from path: String) throws(SearchError) -> JSONObject {
        let payload = try read(magic: magic, from: path)
        do {
            guard case .object(let object) = try JSONParser.parse(payload) else { throw SearchError.corruptIndex(file: path, "payload is not a JSON object") }
            return object
        } catch let error as SearchError {
            throw error
        } catch {
            throw .corruptIndex(file: path, "payload is not valid JSON: \(error)")
        }
    }

    static func writeJSON(magic: String, _ object: JSONObject, to path: String, directory: String) throws(SearchError) {
        var payload: [UInt8] = []
        JSONWriter.append(.object(object), to: &payload)
        try write(magic: magic, payload: payload, to: path, directory: directory)
    }
}

/// A segment's deletes as of one commit: `<segment>_<generation>.del`, the live-docs bitset in a
/// checksummed frame (maxDoc UInt32, deleted count UInt32, words).
enum LiveDocsFile {
    static let magic = "SDEL"

    static func write(_ liveDocs: LiveDocs, maxDoc: Int, to path: String, directory: String) throws(SearchError) {
        var payload: [UInt8] = []
        payload.appendLE(UInt32(maxDoc))
        payload.appendLE(UInt32(liveDocs.deletedCount))
        for word in liveDocs.words { payload.appendLE(word) }
        try ChecksummedFile.write(magic: magic, payload: payload, to: path, directory: directory)
    }

    static func read(_ path: String, maxDoc: Int) throws(SearchError) -> LiveDocs {
        let payload = try ChecksummedFile.read(magic: magic, from: path)
        let words = (maxDoc + 63) / 64
        guard payload.count == 8 + words * 8 else { throw .corruptIndex(file: path, "deletes file has \(payload.count) bytes for \(maxDoc) docs") }
        return try payload.withRawBytes { (raw) throws(SearchError) -> LiveDocs in
            guard Int(raw.loadLE(UInt32.self, at: 0)) == maxDoc else { throw .corruptIndex(file: path, "deletes file is for another segment size") }
            let deleted = Int(raw.loadLE(UInt32.self, at: 4))
            let bits = (0..<words).map { raw.loadLE(UInt64.self, at: 8 + $0 * 8) }
            let live = bits.reduce(0) { $0 + $1.nonzeroBitCount }
            guard live + deleted == maxDoc else { throw .corruptIndex(file: path, "deletes file counts disagree (\(live) live + \(deleted) deleted ≠ \(maxDoc))") }
            return LiveDocs(words: bits, deletedCount: deleted)
        }
    }
}
