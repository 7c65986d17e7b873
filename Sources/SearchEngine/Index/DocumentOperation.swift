/// A write to one document, as the REST layer receives it and as it travels through the log (the translog)
/// to `SearchIndex.apply`. Applying the same operations in the same order to the same committed state gives
/// the same results — which is what makes replay after a crash exact.
public struct DocumentOperation: Sendable {
    public enum Kind: Sendable {
        /// Index (create or replace) with this `_source` JSON.
        case index(source: [UInt8])
        /// Index only if no live document has the id (else `version_conflict_engine_exception`, 409).
        case create(source: [UInt8])
        /// Partial update: merge `doc` into the current `_source` (objects merged recursively); when the
        /// document is missing, `upsert` (or `doc` when `docAsUpsert`) is indexed, else
        /// `document_missing_exception` (404). Unchanged source with `detectNoop` gives result `noop`.
        case update(doc: [UInt8]?, upsert: [UInt8]?, docAsUpsert: Bool, detectNoop: Bool)
        case delete
    }

    public var id: String
    public var kind: Kind
    /// Optimistic concurrency (`if_seq_no` / `if_primary_term`): the operation fails with 409 unless the
    /// live document has exactly these.
    public var ifSeqNo: Int64?
    public var ifPrimaryTerm: Int64?

    public init(id: String, kind: Kind, ifSeqNo: Int64? = nil, ifPrimaryTerm: Int64? = nil) {
        self.id = id
        self.kind = kind
        self.ifSeqNo = ifSeqNo
        self.ifPrimaryTerm = ifPrimaryTerm
    }
}

public struct DocumentResult: Sendable {
    public enum Outcome: String, Sendable {
        case created, updated, deleted, noop
        case notFound = "not_found"
    }

    /// nil when the operation failed (see `error`).
    public var outcome: Outcome?
    public var error: SearchError?
    public var version: Int64
    public var seqNo: Int64
    public var primaryTerm: Int64

    public init(outcome: Outcome?, error: SearchError? = nil, version: Int64, seqNo: Int64, primaryTerm: Int64 = 1) {
        self.outcome = outcome
        self.error = error
        self.version = version
        self.seqNo = seqNo
        self.primaryTerm = primaryTerm
    }

    /// The REST status OpenSearch gives this result (201 created, 200 updated/deleted/noop, 404 not found,
    /// the error's status otherwise).
    public var status: Int {
        if let error { return error.status }
        switch outcome {
        case .created: return 201
        case .notFound: return 404
        default: return 200
        }
    }
}

/// A document as `GET <index>/_doc/<id>` returns it (realtime: includes writes not yet refreshed).
public struct StoredDocument: Sendable {
    public var id: String
    public var source: [UInt8]
    public var version: Int64
    public var seqNo: Int64
    public var primaryTerm: Int64

    public init(id: String, source: [UInt8], version: Int64, seqNo: Int64, primaryTerm: Int64 = 1) {
        self.id = id
        self.source = source
        self.version = version
        self.seqNo = seqNo
        self.primaryTerm = primaryTerm
    }
}
