import ArgumentParser
import Foundation
import SpikeRun

/// A one-line live progress display on a terminal; plain log lines otherwise (CI, pipes, --json).
struct ProgressLine {
    let live: Bool
    private var lastDraw = 0.0

    init(enabled: Bool) { live = enabled && isatty(STDOUT_FILENO) != 0 }

    mutating func draw(_ text: String, force: Bool = false) {
        guard live else { return }
        let now = Date().timeIntervalSince1970
        if !force && now - lastDraw < 0.1 { return }
        lastDraw = now
        print("\r\u{1B}[2K" + text, terminator: "")
        fflush(stdout)
    }

    mutating func clear() {
        guard live else { return }
        print("\r\u{1B}[2K", terminator: "")
        fflush(stdout)
    }

    static func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: max(0, min(width, filled))) + String(repeating: ".", count: max(0, width - filled)) + "]"
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}

/// Prints `obj` as one compact JSON line (the last output line of `--json` runs).
func printJSONLine(_ obj: [String: Any]) {
    print(JSONValue.text(obj))  // non-finite numbers become null instead of emptying the line
}

/// A setting error of the library as a usage error naming the flag (`--label: must be …`); other errors unchanged.
func flagError(_ error: Error) -> Error {
    guard let e = error as? RunError, e.code == .invalidSetting else { return error }
    return ValidationError("\(RunOverrides.flagName(forKey: e.subject)): \(e.message)")
}
