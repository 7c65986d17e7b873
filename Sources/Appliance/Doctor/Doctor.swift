import PostgresCDC

/// `moodle-pipeline doctor`: the preflight of every configured source, as a person reads it.
public enum Doctor {
    /// Runs the preflight of every source concurrently; reports come back in the sources' order.
    public static func run(_ config: ApplianceConfig) async -> [PreflightReport] {
        await withTaskGroup(of: (Int, PreflightReport).self) { group in
            for (index, source) in config.sources.enumerated() {
                group.addTask {
                    let settings: ConnectionSettings
                    do {
                        settings = try source.connectionSettings(applicationName: "moodle-pipeline-doctor")
                    } catch {
                        return (index, PreflightReport(target: source.name, findings: [PreflightFinding(.error, .connection, "\(error)")]))
                    }
                    let target = PreflightTarget(
                        name: source.name, settings: settings, tables: source.tables.map(QualifiedName.init),
                        slot: source.slot, publication: source.publication
                    )
                    return (index, await Preflight.run(target))
                }
            }
            var reports: [(Int, PreflightReport)] = []
            for await report in group { reports.append(report) }
            return reports.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Whether every source passed (warnings allowed): the doctor's exit status.
    public static func allPassed(_ reports: [PreflightReport]) -> Bool { reports.allSatisfy(\.passed) }

    /// The reports as text: a heading per source, a mark per finding, the fix under each problem.
    public static func render(_ reports: [PreflightReport], config: ApplianceConfig) -> String {
        var out = ""
        for report in reports {
            let url = config.source(named: report.target).map { redactedURL($0.url) } ?? ""
            out += "source \(report.target) (\(url)): \(report.passed ? "ready" : "NOT READY")\n"
            for finding in report.findings {
                let mark: String
                switch finding.severity {
                case .error: mark = "✗"
                case .warning: mark = "!"
                default: mark = "✓"
                }
                out += "  \(mark) \(finding.check)\(finding.subject.map { " (\($0))" } ?? ""): \(finding.message)\n"
                if let fix = finding.fix, finding.severity != .ok {
                    for (index, line) in fix.split(separator: "\n").enumerated() {
                        out += (index == 0 ? "      fix: " : "           ") + line + "\n"
                    }
                }
            }
            out += "\n"
        }
        let failed = reports.filter { !$0.passed }.map(\.target)
        out += failed.isEmpty
            ? "All sources are ready: `moodle-pipeline serve` can start capturing.\n"
            : "Not ready: \(failed.joined(separator: ", ")). Apply the fixes above and run doctor again.\n"
        return out
    }
}
