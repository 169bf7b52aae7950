import Foundation

/// Which SpikeLoop made a file: the release version and the git commit of the source tree.
///
/// Run records (`config.json`, checkpoints, exports, TensorBoard files) carry both so that a result can be traced
/// to the code that produced it. SwiftPM cannot run a script at build time without a plugin, so the commit is
/// looked up when first needed, in this order: `$SPIKELOOP_GIT_COMMIT` (set it when packaging); the repository
/// the running binary was built in (`.build/<config>/spikeloop` lies inside the clone, so this works in any clone
/// and in CI); `share/spikeloop/commit` next to an installed binary (`make install` writes it); else `unknown`.
/// A commit with uncommitted changes in tracked files gets a `-dirty` suffix.
public enum BuildInfo {
    /// The SpikeLoop release (also the Python package's `__version__`).
    public static let version = "0.1.0"

    /// The git commit this build came from, `<sha>[-dirty]`, or `unknown`.
    public static let gitCommit: String = lookUpCommit()

    /// `spikeloop --version`: `0.1.0 (commit <sha>)`.
    public static var versionLine: String { "\(version) (commit \(gitCommit))" }

    /// Version and commit as record fields.
    public static var record: [String: String] { ["spikeloop_version": version, "git_commit": gitCommit] }

    static func lookUpCommit() -> String {
        if let env = ProcessInfo.processInfo.environment["SPIKELOOP_GIT_COMMIT"], !env.isEmpty { return env }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) {
                if let sha = git(["rev-parse", "HEAD"], in: dir), sha.count >= 7 {
                    let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: dir).map { !$0.isEmpty } ?? false
                    return sha + (dirty ? "-dirty" : "")
                }
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        let installed = exe.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/spikeloop/commit")
        if let text = try? String(contentsOf: installed, encoding: .utf8) {
            let sha = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !sha.isEmpty { return sha }
        }
        return "unknown"
    }

    /// Output of `git -C dir args…`, trimmed; nil when git is missing or fails.
    private static func git(_ args: [String], in dir: URL) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
