#define _GNU_SOURCE
#include "sqlite_baseline.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(sqlite3 *db, int status, char *message, size_t capacity) {
    if (message && capacity > 0) snprintf(message, capacity, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(status));
    return status;
}

int sqlite_baseline_upsert(const char *path, const int64_t *ids, const char *text, const int64_t *offsets,
                           const int64_t *order, int64_t rows, int batch, double *seconds, double *commit_seconds,
                           char *message, size_t message_capacity) {
    sqlite3 *db = NULL;
    int status = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE, NULL);
    if (status != SQLITE_OK) {
        status = fail(db, status, message, message_capacity);
        sqlite3_close(db);
        return status;
    }
    // The sink's settings (SinkDatabase: GRDB's DatabasePool opens in WAL mode; synchronous = NORMAL) and its
    // mirror table's declaration (MirrorTable.createSQL for the relation the benchmark announces).
    status = sqlite3_exec(db,
        "PRAGMA journal_mode = WAL;"
        "PRAGMA synchronous = NORMAL;"
        "CREATE TABLE \"bench.public.SitesUsers\" (\"id\" INTEGER, \"admin_email\" TEXT, \"username\" TEXT, "
        "\"registration_timestamp\" TEXT, PRIMARY KEY (\"id\"))",
        NULL, NULL, NULL);
    sqlite3_stmt *upsert = NULL, *begin = NULL, *commit = NULL;
    if (status == SQLITE_OK)
        status = sqlite3_prepare_v2(db,
            "INSERT INTO \"bench.public.SitesUsers\" (\"id\", \"admin_email\", \"username\", \"registration_timestamp\") "
            "VALUES (?, ?, ?, ?) ON CONFLICT (\"id\") DO UPDATE SET \"admin_email\" = excluded.\"admin_email\", "
            "\"username\" = excluded.\"username\", \"registration_timestamp\" = excluded.\"registration_timestamp\"",
            -1, &upsert, NULL);
    if (status == SQLITE_OK) status = sqlite3_prepare_v2(db, "BEGIN", -1, &begin, NULL);
    if (status == SQLITE_OK) status = sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    if (status != SQLITE_OK) goto done;

    double start = now_seconds(), committing = 0;
    for (int64_t first = 0; first < rows && status == SQLITE_OK; first += batch) {
        int64_t end = first + batch < rows ? first + batch : rows;
        if (sqlite3_step(begin) != SQLITE_DONE) { status = sqlite3_errcode(db); break; }
        sqlite3_reset(begin);
        for (int64_t n = first; n < end; n++) {
            int64_t i = order ? order[n] : n;
            sqlite3_bind_int64(upsert, 1, ids[i]);
            for (int c = 0; c < 3; c++) {
                int64_t from = offsets[3 * i + c], to = offsets[3 * i + c + 1];
                sqlite3_bind_text(upsert, 2 + c, text + from, (int)(to - from), SQLITE_STATIC);
            }
            if (sqlite3_step(upsert) != SQLITE_DONE) { status = sqlite3_errcode(db); break; }
            sqlite3_reset(upsert);
        }
        if (status != SQLITE_OK) break;
        double commit_start = now_seconds();
        if (sqlite3_step(commit) != SQLITE_DONE) { status = sqlite3_errcode(db); break; }
        sqlite3_reset(commit);
        committing += now_seconds() - commit_start;
    }
    *seconds = now_seconds() - start;
    *commit_seconds = committing;

done:
    if (status != SQLITE_OK) fail(db, status, message, message_capacity);
    sqlite3_finalize(upsert);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return status;
}

static void fold(uint64_t *hash, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    for (size_t i = 0; i < length; i++) {
        *hash ^= p[i];
        *hash *= 0x100000001b3ull;
    }
}

static void fold_u64(uint64_t *hash, uint64_t value) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; i++) bytes[i] = (unsigned char)(value >> (8 * i));
    fold(hash, bytes, 8);
}

static void fold_bytes(uint64_t *hash, const void *bytes, int length) {
    unsigned char header[4];
    for (int i = 0; i < 4; i++) header[i] = (unsigned char)((uint32_t)length >> (8 * i));
    fold(hash, header, 4);
    if (length > 0) fold(hash, bytes, (size_t)length);
}

int sqlite_baseline_checksum(const char *path, const char *table, int64_t *rows, uint64_t *checksum, char *message,
                             size_t message_capacity) {
    sqlite3 *db = NULL;
    int status = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *select = NULL;
    char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY \"id\"", table);
    if (status == SQLITE_OK) status = sqlite3_prepare_v2(db, sql, -1, &select, NULL);
    sqlite3_free(sql);
    uint64_t hash = 0xcbf29ce484222325ull;
    int64_t count = 0;
    while (status == SQLITE_OK) {
        int step = sqlite3_step(select);
        if (step == SQLITE_DONE) break;
        if (step != SQLITE_ROW) { status = step; break; }
        count++;
        int columns = sqlite3_column_count(select);
        for (int c = 0; c < columns; c++) {
            int type = sqlite3_column_type(select, c);
            unsigned char tag = (unsigned char)type;
            fold(&hash, &tag, 1);
            switch (type) {
            case SQLITE_INTEGER: fold_u64(&hash, (uint64_t)sqlite3_column_int64(select, c)); break;
            case SQLITE_FLOAT: {
                double value = sqlite3_column_double(select, c);
                uint64_t bits;
                memcpy(&bits, &value, 8);
                fold_u64(&hash, bits);
                break;
            }
            case SQLITE_TEXT: {
                const unsigned char *value = sqlite3_column_text(select, c);
                fold_bytes(&hash, value, sqlite3_column_bytes(select, c));
                break;
            }
            case SQLITE_BLOB: {
                const void *value = sqlite3_column_blob(select, c);
                fold_bytes(&hash, value, sqlite3_column_bytes(select, c));
                break;
            }
            default: break;
            }
        }
    }
    if (status != SQLITE_OK) fail(db, status, message, message_capacity);
    *rows = count;
    *checksum = hash;
    sqlite3_finalize(select);
    sqlite3_close(db);
    return status;
}

int sqlite_baseline_query_text(const char *path, const char *sql, char *output, size_t output_capacity) {
    if (output_capacity > 0) output[0] = 0;
    sqlite3 *db = NULL;
    int status = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *statement = NULL;
    if (status == SQLITE_OK) status = sqlite3_prepare_v2(db, sql, -1, &statement, NULL);
    if (status == SQLITE_OK) {
        int step = sqlite3_step(statement);
        if (step == SQLITE_ROW) {
            const unsigned char *value = sqlite3_column_text(statement, 0);
            if (value && output_capacity > 0) snprintf(output, output_capacity, "%s", (const char *)value);
        } else if (step != SQLITE_DONE) {
            status = step;
        }
    }
    if (status != SQLITE_OK && output_capacity > 0) snprintf(output, output_capacity, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(status));
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return status;
}
