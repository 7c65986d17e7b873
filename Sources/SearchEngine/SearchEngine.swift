import Dispatch
import Logging
import PosixFiles
import StreamProcessing
import Synchronization

/// The catalog of indices under one data directory (`<directory>/indices/<uuid>/`). Opening recovers every
/// index at its last commit point; `runMaintenance` refreshes indices on their `refresh_interval` and merges
/// segments in the background. Nothing outside the data directory is ever touched: index directories are
/// named by generated uuids, never by user input.
public final class SearchEngine: Sendable {
    let directory: String
    let indicesDirectory: String
    let logger: Logger
    let catalog = Mutex([String: SearchIndex]())
    /// Refreshes and segment flushes (blocking work) run here, off the cooperative pool.
    let refreshQueue = DispatchQueue(label: "search.refresh")
    /// Merges run here, one at a time, so a long merge never delays a refresh.
    let mergeQueue = DispatchQueue(label: "search.merge")

    static let deletedSuffix = ".deleted"

    public init(directory: String, logger: Logger = Logger(label: "search-engine")) throws {
        self.directory = directory
        self.indicesDirectory = directory + "/indices"
        self.logger = logger
        try StorageFiles.makeDirectories(indicesDirectory)
        var opened: [String: SearchIndex] = [:]
        for entry in try StorageFiles.list(indicesDirectory) {
            let path = indicesDirectory + "/" + entry
            guard StorageFiles.isDirectory(path) else { continue }
            if entry.hasSuffix(Self.deletedSuffix) || !StorageFiles.exists(path + "/" + SearchIndex.metadataFile) {
                // A delete interrupted by a crash, or a create that never wrote its metadata.
                try StorageFiles.removeTree(path)
                continue
            }
            let index = try SearchIndex.open(directory: path, logger: logger)
            if let existing = opened[index.name] {
                logger.error("two directories hold the same index; keeping the first", metadata: ["search.index": "\(index.name)", "first": "\(existing.uuid)", "second": "\(index.uuid)"])
                continue
            }
            opened[index.name] = index
        }
        catalog.withLock { $0 = opened }
        logger.info("search engine opened", metadata: ["search.directory": "\(directory)", "search.indices": "\(opened.count)"])
    }

    /// Creates an index; the name is validated as OpenSearch does, `settings` and `mappings` are the bodies of
    /// a create-index request. Durable before it returns.
    @discardableResult
    public func createIndex(_ name: String, settings: JSONObject?, mappings: JSONObject?) throws(SearchError) -> SearchIndex {
        try Self.validateIndexName(name)
        let parsedSettings = try IndexSettings.parse(settings)
        let mapping = try mappings.map { (json) throws(SearchError) in try IndexMapping.parse(json) } ?? IndexMapping()
        return try catalog.withLock { (indices) throws(SearchError) -> SearchIndex in
            if indices[name] != nil { throw .indexExists(name) }
            let uuid = Self.randomUUID()
            let created = try SearchIndex.create(
                name: name, uuid: uuid, creationDate: Self.nowMillis(), settings: parsedSettings, mapping: mapping,
                directory: indicesDirectory + "/" + uuid, logger: logger)
            indices[name] = created
            return created
        }
    }

    /// Deletes an index: removed from the catalog at once, its directory renamed to a tombstone (durable) and
    /// then removed. Snapshots still held keep reading their memory-mapped segments.
    public func deleteIndex(_ name: String) throws(SearchError) {
        try catalog.withLock { (indices) throws(SearchError) in
            guard let index = indices[name] else { throw .indexNotFound(name) }
            index.close()
            indices[name] = nil
            let tombstone = index.directory + Self.deletedSuffix
            try StorageFiles.rename(index.directory, tombstone)
            try StorageFiles.syncDirectory(indicesDirectory)
            do {
                try StorageFiles.removeTree(tombstone)
            } catch {
                logger.warning("could not remove a deleted index's files; retried at the next start", metadata: ["search.index": "\(name)", "error": "\(error)"])
            }
        }
    }

    public func index(_ name: String) -> SearchIndex? { catalog.withLock { $0[name] } }

    /// Every index, sorted by name.
    public var indices: [SearchIndex] { catalog.withLock { $0.values.sorted { $0.name < $1.name } } }

    /// Stops every index (later writes fail). Does not commit: the caller commits what it needs first.
    public func close() {
        for index in indices { index.close() }
    }

    static func nowMillis() -> Int64 {
        wallClockMillis()
    }

    /// A random 16-byte id, base64url without padding (22 characters, as OpenSearch's index uuids).
    static func randomUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
