/// A text analyzer: splits a value into tokens (term bytes, positions, UTF-8 byte offsets), as OpenSearch's
/// built-in analyzers of the same names do.
///
/// - `standard`: Lucene's `StandardTokenizer` (Unicode UAX#29 word boundaries, see `StandardTokenizer`) and
///   lower-casing; tokens longer than 255 UTF-16 units are split at 255, as Lucene does.
/// - `simple`: maximal runs of letters (general category L*), lower-cased (Lucene `LetterTokenizer`).
/// - `whitespace`: runs of non-whitespace (Java's `Character.isWhitespace`), as written.
/// - `keyword`: the whole value as one token.
public struct Analyzer: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case standard, simple, whitespace, keyword
    }

    public let kind: Kind
    /// The longest token in UTF-16 units (Lucene's `max_token_length`); longer ones are split.
    public let maxTokenLength: Int

    public init(kind: Kind, maxTokenLength: Int = 255) {
        self.kind = kind
        self.maxTokenLength = max(1, maxTokenLength)
    }

    public static let standard = Analyzer(kind: .standard)
    public static let simple = Analyzer(kind: .simple)
    public static let whitespace = Analyzer(kind: .whitespace)
    public static let keyword = Analyzer(kind: .keyword)

    public var name: String { kind.rawValue }
    public var description: String { kind.rawValue }

    /// The built-in analyzer of that name (`default` is `standard`).
    public static func named(_ name: String) throws(SearchError) -> Analyzer {
        if name == "default" { return .standard }
        guard let kind = Kind(rawValue: name) else { throw SearchError.illegalArgument("failed to find analyzer [\(name)]") }
        return Analyzer(kind: kind)
    }

    /// The tokens of one value: positions from 0, offsets in UTF-8 bytes of `text`.
    public func analyze(_ text: String) -> [Token] {
        var tokens: [Token] = []
        analyze(text, into: &tokens, positionBase: 0, offsetBase: 0)
        return tokens
    }

    /// Appends the tokens of one value of a multi-valued field: the first token gets position `positionBase`,
    /// offsets are shifted by `offsetBase`. Returns the position after the last token (`positionBase` when
    /// there was none). For the next value of the same field use `returned + 100` (OpenSearch's
    /// `position_increment_gap`) and `offsetBase + text.utf8.count + 1` (Lucene's offset gap), as
    /// `nextValueBases` computes.
    @discardableResult
    public func analyze(_ text: String, into tokens: inout [Token], positionBase: Int32, offsetBase: Int32) -> Int32 {
        var copy = text
        return copy.withUTF8 { bytes in analyze(utf8: bytes, into: &tokens, positionBase: positionBase, offsetBase: offsetBase) }
    }

    /// `analyze(_:into:positionBase:offsetBase:)` over UTF-8 bytes (which must be valid UTF-8).
    @discardableResult
    public func analyze(utf8 bytes: UnsafeBufferPointer<UInt8>, into tokens: inout [Token], positionBase: Int32, offsetBase: Int32) -> Int32 {
        var sink = TokenSink(tokens: tokens, position: positionBase, offsetBase: offsetBase, lowercase: kind == .standard || kind == .simple)
        tokens = []
        switch kind {
        case .standard: StandardTokenizer.tokenize(bytes, maxLength: maxTokenLength, into: &sink)
        case .simple: CharacterClassTokenizer.tokenize(bytes, maxLength: maxTokenLength, isTokenScalar: CharacterClassTokenizer.isLetter, into: &sink)
        case .whitespace: CharacterClassTokenizer.tokenize(bytes, maxLength: maxTokenLength, isTokenScalar: CharacterClassTokenizer.isNotWhitespace, into: &sink)
        case .keyword: sink.emit(bytes, start: 0, end: bytes.count)
        }
        tokens = sink.tokens
        return sink.position
    }

    /// OpenSearch's gap between the values of a multi-valued text field.
    public static let positionIncrementGap: Int32 = 100

    /// The bases for the next value of a multi-valued field, after a value `text` analyzed with
    /// `offsetBase` that returned `nextPosition`.
    public static func nextValueBases(after text: String, nextPosition: Int32, offsetBase: Int32) -> (positionBase: Int32, offsetBase: Int32) {
        (nextPosition &+ positionIncrementGap, offsetBase &+ Int32(truncatingIfNeeded: text.utf8.count) &+ 1)
    }
}

/// Collects the tokens of one value: assigns positions, shifts offsets, lower-cases term bytes.
struct TokenSink {
    var tokens: [Token]
    var position: Int32
    let offsetBase: Int32
    let lowercase: Bool

    @inline(__always)
    mutating func emit(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) {
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
        let term = lowercase ? LowerCase.lowercased(slice) : Array(slice)
        tokens.append(Token(term: term, position: position, startOffset: offsetBase &+ Int32(truncatingIfNeeded: start), endOffset: offsetBase &+ Int32(truncatingIfNeeded: end)))
        position &+= 1
    }
}
