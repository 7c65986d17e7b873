#define _GNU_SOURCE
#include "baseline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_all(int fd, const unsigned char *buffer, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, buffer, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        buffer += n;
        length -= (size_t)n;
    }
    return 0;
}

int baseline_append(const char *path, int batches, int records, int record_bytes, uint64_t *latencies_ns,
                    double *seconds) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    size_t payload = (size_t)records * (size_t)record_bytes;
    unsigned char *buffer = malloc(12 + payload);
    if (!buffer) { close(fd); return ENOMEM; }
    for (size_t i = 0; i < payload; i++) buffer[12 + i] = (unsigned char)(i * 31 + 7);
    uint64_t start = now_ns();
    int status = 0;
    for (int b = 0; b < batches && status == 0; b++) {
        uint64_t t0 = now_ns();
        buffer[12] = (unsigned char)b;  // make each batch differ
        uint32_t length = (uint32_t)payload, crc = (uint32_t)crc32(0, buffer + 12, (uInt)payload), count = (uint32_t)records;
        memcpy(buffer, &length, 4);
        memcpy(buffer + 4, &crc, 4);
        memcpy(buffer + 8, &count, 4);
        status = write_all(fd, buffer, 12 + payload);
        if (status == 0 && fdatasync(fd) != 0) status = errno;
        latencies_ns[b] = now_ns() - t0;
    }
    *seconds = (double)(now_ns() - start) / 1e9;
    free(buffer);
    close(fd);
    return status;
}

int baseline_fdatasync_latency(const char *path, int samples, uint64_t *latencies_ns) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    unsigned char block[4096];
    memset(block, 0x5a, sizeof block);
    int status = 0;
    for (int i = 0; i < samples && status == 0; i++) {
        status = write_all(fd, block, sizeof block);
        uint64_t t0 = now_ns();
        if (status == 0 && fdatasync(fd) != 0) status = errno;
        latencies_ns[i] = now_ns() - t0;
    }
    close(fd);
    return status;
}
