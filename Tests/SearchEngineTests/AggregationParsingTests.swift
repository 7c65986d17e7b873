import Foundation
import StreamProcessing
import Testing

@testable import SearchEngine

@Suite("Aggregation request parsing")
struct AggregationParsingTests {
    private func parse(_ text: String) throws -> [AggregationRequest] {
        try AggregationRequest.parse(try AggregationFixture.object(text))
    }

    private func error(_ text: String) -> SearchError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as SearchError {
            return error
        } catch {
            return nil
        }
    }

    @Test func namesTypesAndSubAggregations() throws {
        let requests = try parse(#"""
            {"a":{"terms":{"field":"x"},"meta":{"k":1},"aggs":{"b":{"max":{"field":"y"}}}},"c":{"aggregations":{"d":{"sum":{"field":"z"}}},"date_histogram":{"field":"t","calendar_interval":"day"}}}
            """#)
        #expect(requests.map(\.name) == ["a", "c"])
        #expect(requests.map(\.type) == ["terms", "date_histogram"])
        #expect(requests[0].meta == JSONObject([("k", .integer(1))]))
        #expect(requests[0].subAggregations.map(\.type) == ["max"])
        #expect(requests[1].subAggregations.map(\.name) == ["d"])
    }

    @Test func openSearchErrors() {
        let unknown = error(#"{"a":{"term":{"field":"x"}}}"#)
        #expect(unknown?.type == "parsing_exception")
        #expect(unknown?.status == 400)
        #expect(unknown?.reason == "Unknown aggregation type [term] did you mean [terms]?")
        #expect(error(#"{"a":{"date_histo":{}}}"#)?.reason == "Unknown aggregation type [date_histo] did you mean any of [date_histogram, auto_date_histogram]?")
        #expect(error(#"{"a":{"trems":{"field":"x"}}}"#)?.reason == "Unknown aggregation type [trems] did you mean [terms]?")
        #expect(error(#"{"a":{"zzzzzz":{}}}"#)?.reason == "Unknown aggregation type [zzzzzz]")
        let metricWithSubs = error(#"{"a":{"sum":{"field":"x"},"aggs":{"b":{"max":{"field":"y"}}}}}"#)
        #expect(metricWithSubs?.type == "aggregation_initialization_exception")
        #expect(metricWithSubs?.reason == "Aggregator [a] of type [sum] cannot accept sub-aggregations")
        #expect(error(#"{"a":{"terms":{"field":"x"},"avg":{"field":"y"}}}"#)?.reason == "Found two aggregation type definitions in [a]: [terms] and [avg]")
        #expect(error(#"{"a":{"meta":{}}}"#)?.reason == "Missing definition for aggregation [a]")
        #expect(error(#"{"a":[]}"#)?.reason == "Aggregation definition for [a starts with a [START_ARRAY], expected a [START_OBJECT].")
        #expect(error(#"{"a[0]":{"terms":{"field":"x"}}}"#)?.reason == "Invalid aggregation name [a[0]]. Aggregation names can contain any character except '[', ']', and '>'")
        #expect(error(#"{"a":{"terms":"x"}}"#)?.reason == "Expected [START_OBJECT] under [terms], but got a [VALUE_STRING] in [a]")
        let unknownField = error(#"{"a":{"terms":{"feild":"x"}}}"#)
        #expect(unknownField?.type == "x_content_parse_exception")
        #expect(unknownField?.reason == "[terms] unknown field [feild] did you mean [field]?")
        #expect(error(#"{"a":{"terms":{"field":"x","size":0}}}"#)?.reason == "[size] must be greater than 0. Found [0] in [a]")
        #expect(error(#"{"a":{"histogram":{"field":"x","interval":0}}}"#)?.reason == "[interval] must be >0 for histogram aggregation [a]")
        #expect(error(#"{"a":{"terms":{"field":"x","order":{"_count":"up"}}}}"#)?.reason == "Unknown order direction [up]")
        #expect(error(#"{"a":{"range":{"field":"x"}}}"#)?.reason == "No [ranges] specified for the [a] aggregation")
        #expect(error(#"{"a":{"terms":{}}}"#)?.reason == "Required one of fields [field, script], but none were specified. ")
    }

    @Test func orderPathsAreChecked() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 20, seed: 61)
        for (aggs, valid) in [
            (#"{"t":{"terms":{"field":"category","order":{"nope":"desc"}}}}"#, false),
            (#"{"t":{"terms":{"field":"category","order":{"s.avg":"desc"}},"aggs":{"s":{"stats":{"field":"price"}}}}}"#, true),
            (#"{"t":{"terms":{"field":"category","order":{"s.median":"desc"}},"aggs":{"s":{"stats":{"field":"price"}}}}}"#, false),
            (#"{"t":{"terms":{"field":"category","order":[{"c":"asc"},{"_key":"desc"}]},"aggs":{"c":{"cardinality":{"field":"user"}}}}}"#, true),
        ] {
            do {
                _ = try fixture.run(aggs)
                #expect(valid, "\(aggs) should be refused")
            } catch let error as SearchError {
                #expect(!valid, "\(aggs): \(error)")
                #expect(error.type == "aggregation_execution_exception")
            }
        }
    }

    @Test func tooManyBuckets() throws {
        let fixture = try AggregationFixture()
        fixture.fill(count: 50, seed: 62)
        do {
            _ = try fixture.run(#"{"h":{"date_histogram":{"field":"ts","fixed_interval":"1m"}}}"#)
            Issue.record("a minute histogram over ten months has more than 65,535 buckets")
        } catch let error as SearchError {
            #expect(error.type == "too_many_buckets_exception")
            #expect(error.reason.hasPrefix("Trying to create too many buckets. Must be less than or equal to: [65535] but was ["))
        }
    }
}
