import Foundation
import Synchronization

/// Conversions between UTC instants and local wall-clock time in an IANA zone, with whole-second offsets.
///
/// Only `secondsFromGMT(for:)` is taken from Foundation (it reads the tz database); everything else is
/// integer arithmetic.
extension TimeZone {
    /// The zone's UTC offset in seconds at the UTC instant `utcSeconds` (seconds since the epoch).
    /// Foundation's lookup costs microseconds, so hours with one offset throughout are remembered
    /// (`ZoneOffsetCache`); UTC itself is 0 without a lookup.
    func offsetSeconds(atUTC utcSeconds: Int64) -> Int64 {
        if ZoneOffsetCache.utcNames.contains(identifier) { return 0 }
        return ZoneOffsetCache.shared.offset(self, atUTC: utcSeconds)
    }

    /// Foundation's answer, uncached.
    func lookupOffsetSeconds(atUTC utcSeconds: Int64) -> Int64 {
        Int64(secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcSeconds))))
    }

    /// Local wall-clock seconds since 1970-01-01T00:00 (local) for the UTC instant `utcSeconds`.
    func localSeconds(atUTC utcSeconds: Int64) -> Int64 {
        utcSeconds + offsetSeconds(atUTC: utcSeconds)
    }

    /// The UTC instant for a local wall-clock time, resolved the way PostgreSQL resolves a `timestamp`
    /// to `timestamptz` (documentation, "Handling of Invalid or Ambiguous Timestamps"), so the answers can
    /// equal SQL computed on the sources:
    /// - a local time that does not exist (inside a spring-forward gap) is read with the offset in force
    ///   just *before* the transition, so 02:30 in a 02:00→03:00 gap becomes 03:30 after it, and a
    ///   midnight that does not exist (America/Santiago, America/Havana) becomes 01:00;
    /// - a local time that occurs twice (fall-back overlap) is read with the offset in force just *after*
    ///   the transition (the later of the two instants).
    ///
    /// Assumes at most one transition within a day of the time, true of every zone in the tz database.
    func utcSeconds(forLocal local: Int64) -> Int64 {
        let before = offsetSeconds(atUTC: local - 86_400)
        let after = offsetSeconds(atUTC: local + 86_400)
        let readBefore = local - before
        let readAfter = local - after
        let beforeIsValid = offsetSeconds(atUTC: readBefore) == before
        let afterIsValid = offsetSeconds(atUTC: readAfter) == after
        switch (beforeIsValid, afterIsValid) {
        case (_, true): return readAfter  // unique, or an overlap (take the later reading)
        case (true, false): return readBefore
        case (false, false):
            // A gap; or, defensively, neither reading consistent: use the offset at the naive instant.
            return before != after ? readBefore : local - offsetSeconds(atUTC: local - offsetSeconds(atUTC: local))
        }
    }
}

/// UTC offsets per zone and UTC hour, for hours whose offset is the same at their first and last second (all
/// but the hours of a transition, which are looked up every time). Bounded: cleared when it grows past
/// `capacity` entries.
final class ZoneOffsetCache: Sendable {
    static let shared = ZoneOffsetCache()
    /// Zones that are UTC at every instant (Foundation names UTC "GMT").
    static let utcNames: Set<String> = [
        "UTC", "GMT", "UCT", "Universal", "Zulu", "Greenwich", "GMT0", "GMT+0", "GMT-0", "Etc/UTC", "Etc/GMT", "Etc/UCT",
        "Etc/Universal", "Etc/Zulu", "Etc/Greenwich", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0",
    ]
    private static let capacity = 1 << 16

    private struct Key: Hashable {
        var zone: String
        var hour: Int64
    }

    private let offsets = Mutex<[Key: Int32]>([:])

    func offset(_ zone: TimeZone, atUTC utcSeconds: Int64) -> Int64 {
        let hour = utcSeconds >= 0 ? utcSeconds / 3600 : (utcSeconds - 3599) / 3600
        let key = Key(zone: zone.identifier, hour: hour)
        if let known = offsets.withLock({ $0[key] }) { return Int64(known) }
        let atStart = zone.lookupOffsetSeconds(atUTC: hour * 3600)
        let atEnd = zone.lookupOffsetSeconds(atUTC: hour * 3600 + 3599)
        guard atStart == atEnd else { return zone.lookupOffsetSeconds(atUTC: utcSeconds) }
        offsets.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = Int32(atStart)
        }
        return atStart
    }
}
