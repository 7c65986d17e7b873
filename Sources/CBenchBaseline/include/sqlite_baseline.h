#ifndef MOODLE_BENCH_SQLITE_BASELINE_H
#define MOODLE_BENCH_SQLITE_BASELINE_H

#include <stdint.h>
#include <stddef.h>

/// The sink benchmark's baseline: a plain SQLite upsert loop through the C API. Creates `path` (must not
/// exist), sets `journal_mode = WAL` and `synchronous = NORMAL` (as the sink's database does), creates the
/// sink's mirror table for the benchmark's table exactly as the sink declares it —
/// `"bench.public.SitesUsers" ("id" INTEGER, "admin_email" TEXT, "username" TEXT, "registration_timestamp"
/// TEXT, PRIMARY KEY ("id"))` — and upserts `rows` rows with one prepared
/// `INSERT … ON CONFLICT(id) DO UPDATE SET …`, in transactions of `batch` rows (BEGIN … COMMIT).
///
/// Row `i`: id `ids[i]`; its three text columns (admin_email, username, registration_timestamp) are the
/// bytes `text[offsets[3i + c] ..< offsets[3i + c + 1]]` for c = 0, 1, 2 (`offsets` has 3 × rows + 1
/// entries). Rows are upserted in the order `order[0], order[1], …` (row numbers), or `0, 1, …` when
/// `order` is NULL. `*seconds`: from the first BEGIN to the last COMMIT's return (clock_gettime,
/// monotonic); `*commit_seconds`: the part of it spent in COMMIT (writing the WAL, and the checkpoints
/// SQLite runs when the WAL passes 1,000 pages). Returns 0, or an SQLite result code with its message in
/// `message` (capacity `message_capacity`).
int sqlite_baseline_upsert(const char *path, const int64_t *ids, const char *text, const int64_t *offsets,
                           const int64_t *order, int64_t rows, int batch, double *seconds, double *commit_seconds,
                           char *message, size_t message_capacity);

/// Reads the table `table` of the database at `path` (read-only) in `ORDER BY "id"` order and folds every
/// column of every row into a 64-bit FNV-1a: per value its storage class (1 byte: 1 integer, 2 float, 3
/// text, 4 blob, 5 null), then an integer as 8 bytes little-endian, a float's bits likewise, text and blobs
/// as a 4-byte little-endian length and the bytes. `*rows`: rows read. Returns 0 or an SQLite result code.
int sqlite_baseline_checksum(const char *path, const char *table, int64_t *rows, uint64_t *checksum, char *message,
                             size_t message_capacity);

/// The first column of the first row of `sql` on the database at `path` (read-only), as text into `output`
/// (capacity `output_capacity`, NUL-terminated, empty for NULL or no row). Returns 0 or an SQLite result code.
int sqlite_baseline_query_text(const char *path, const char *sql, char *output, size_t output_capacity);

#endif
