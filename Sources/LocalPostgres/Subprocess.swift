import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A finished child process: its exit status and what it printed.
public struct SubprocessResult: Sendable {
    public var status: Int32
    public var output: String
}

/// Runs system programs (initdb, pg_ctl, cp) synchronously, optionally as another OS user.
///
/// Built on `posix_spawn` + `waitpid` rather than Foundation's `Process`: `pg_ctl start` leaves a server
/// running in the background, and that server must inherit no descriptor of ours (Foundation's `Process`
/// watches for the child's exit through an inherited descriptor, so it would wait for the server to
/// stop). Here the child gets /dev/null as stdin, a temporary file as stdout and stderr, and every other
/// descriptor is closed. PostgreSQL refuses to run as root, so when this process is root the programs
/// run as the `postgres` OS user through `runuser`. Blocking: call from a dedicated thread.
public enum Subprocess {
    public static func run(
        _ executable: String,
        _ arguments: [String],
        asUser user: String? = nil
    ) throws(LocalPostgresError) -> SubprocessResult {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]
        let outputPath = NSTemporaryDirectory() + "moodle-pipeline-subprocess-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        let pid = try spawn(argv + arguments, outputPath: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw LocalPostgresError(.commandFailed, "waitpid failed: errno \(errno)") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, spelled out because the C macros are not imported.
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return SubprocessResult(status: exitStatus, output: output)
    }

    /// Runs the program and throws with its output when it exits non-zero.
    @discardableResult
    public static func check(
        _ executable: String,
        _ arguments: [String],
        asUser user: String? = nil
    ) throws(LocalPostgresError) -> String {
        let result = try run(executable, arguments, asUser: user)
        guard result.status == 0 else {
            let name = (executable as NSString).lastPathComponent
            throw LocalPostgresError(
                .commandFailed,
                "\(name) exited with status \(result.status): \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return result.output
    }

    private static func spawn(_ argv: [String], outputPath: String) throws(LocalPostgresError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard result == 0 else {
            throw LocalPostgresError(.commandFailed, "cannot start \(argv[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+) is hidden behind _GNU_SOURCE in the
    /// header, so it is looked up at run time; without it, every descriptor open now is closed one by one.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom, addCloseFrom(&actions, 3) == 0 { return }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}
