import BlockingIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process run to completion on a dedicated thread, with its CPU time from `wait4`. stdout and
/// stderr go to `outputPath`; stdin is /dev/null. (Its `ru_maxrss` is not its own: posix_spawn runs it in
/// our address space until exec, and Linux keeps that peak across exec.)
struct ChildProcess: Sendable {
    var status: Int32
    var output: String
    var seconds: Double
    var cpuSeconds: Double

    static func run(_ executable: String, _ arguments: [String], outputPath: String) async throws -> ChildProcess {
        try await runBlocking(name: "moodle-bench.child") { try spawnAndWait(executable, arguments, outputPath: outputPath) }
    }

    private static func spawnAndWait(_ executable: String, _ arguments: [String], outputPath: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A clean signal state: the spawning thread may block signals (SIGALRM ends `pgbench -T`).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let started = ContinuousClock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw BenchmarkFailure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 {
            guard errno == EINTR else { throw BenchmarkFailure(description: "wait4 failed: errno \(errno)") }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ChildProcess(status: exitStatus, output: output, seconds: seconds, cpuSeconds: cpu)
    }
}

/// This process's resident memory from /proc/self/status: VmHWM (the peak since the last reset) and VmRSS.
struct MemoryUsage {
    var peakKiB: Int
    var residentKiB: Int

    static func current() -> MemoryUsage {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return Int(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? -1
        }
        return MemoryUsage(peakKiB: field("VmHWM"), residentKiB: field("VmRSS"))
    }
}

/// Resets this process's peak RSS (VmHWM) to its current RSS (Linux: "5" to /proc/self/clear_refs).
func resetPeakRSS() {
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return }
    _ = write(fd, "5", 1)
    close(fd)
}
