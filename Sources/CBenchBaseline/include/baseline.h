#ifndef MOODLE_BENCH_BASELINE_H
#define MOODLE_BENCH_BASELINE_H

#include <stdint.h>
#include <stddef.h>

/// The log benchmark's baseline: the least an appender can do for durable batches. One thread; for each
/// batch, frame `records` records of `record_bytes` bytes behind a 12-byte header (length, CRC-32 of the
/// payload, count), `write` it at the end of `path`, and `fdatasync`. Latencies (ns per batch, write to
/// fdatasync return) go to `latencies_ns` (capacity `batches`). Returns 0 or an errno.
int baseline_append(const char *path, int batches, int records, int record_bytes, uint64_t *latencies_ns,
                    double *seconds);

/// fdatasync latency of the disk on its own: `samples` writes of 4 KiB, each followed by fdatasync.
int baseline_fdatasync_latency(const char *path, int samples, uint64_t *latencies_ns);

#endif
