import Foundation
import SpikeData
import SpikeNIR
import SpikeTraining
import Testing

/// SplitMix64 (Steele, Lea & Flood 2014): the seeded generator behind every fuzz case, so a failure replays.
struct FuzzRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}

/// Fuzz settings from the environment: `SPIKELOOP_FUZZ_ITERATIONS` (byte flips per format) and
/// `SPIKELOOP_FUZZ_SEED`; `scripts/fuzz-long.sh` raises the first for a soak.
enum FuzzSettings {
    static func iterations(default d: Int) -> Int {
        ProcessInfo.processInfo.environment["SPIKELOOP_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max(1, $0) } ?? d
    }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["SPIKELOOP_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_F022 }
    /// Every reader under test gets this budget: no declared size may make it allocate more than 1 GiB.
    static let memoryBudget = 1 << 30
    /// `SPIKELOOP_FUZZ_VERBOSE=1` prints every case before it runs, so a crash names its input.
    static let verbose = ProcessInfo.processInfo.environment["SPIKELOOP_FUZZ_VERBOSE"] == "1"
    /// A case taking longer than this is a hang.
    static let caseSeconds = 10.0
}

/// Peak resident memory of this process so far, bytes (Linux reports `ru_maxrss` in KiB).
func peakResidentBytes() -> Int {
    var u = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &u)
    return Int(u.ru_maxrss) * 1024
}

/// Runs fuzz cases against one reader and counts their outcomes.
///
/// A case passes when it throws the module's error type (`DatasetError`, `TrainingError` or `NIRError`) whose description
/// names the input file and says what was wrong (one of the expected words, when given), or, where the input may
/// still be valid, when the read succeeds and the result passes the case's own validity checks. A trap ends the
/// whole test process, so a passing run is also the proof that nothing trapped.
final class FuzzRun {
    let name: String
    let directory: URL
    private(set) var cases = 0
    private(set) var errors = 0
    private(set) var accepted = 0
    private(set) var slowest = 0.0
    private var seen = Set<UInt64>()
    private(set) var distinct = 0

    init(_ name: String) {
        self.name = name
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spikeloop-fuzz-\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A path in this run's folder; the case label is part of the name so that messages can be checked for it.
    func path(_ label: String, ext: String) -> String {
        let safe = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(80))
        return directory.appendingPathComponent("\(safe).\(ext)").path
    }

    /// Writes `bytes` to a case file and returns its path.
    func write(_ bytes: Data, _ label: String, ext: String) -> String {
        let p = path(label, ext: ext)
        FileManager.default.createFile(atPath: p, contents: bytes)
        return p
    }

    /// Runs one case. `words`: the description must contain one of them (empty: any text after the path).
    /// `mayAccept`: a successful read is fine (its validity is checked inside `body`).
    func check(
        _ label: String, source: String, words: [String] = [], mayAccept: Bool = false, input: Data? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        cases += 1
        if let d = input {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over every byte
            for b in d { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
            if seen.insert(h ^ UInt64(d.count) << 48).inserted { distinct += 1 }
        } else {
            distinct += 1
        }
        if FuzzSettings.verbose {
            print("fuzz \(name) case \(label): \(source)")
            fflush(stdout)
        }
        let t0 = Date()
        do {
            try body()
            accepted += 1
            if !mayAccept { Issue.record("\(name) case '\(label)' was accepted", sourceLocation: sourceLocation) }
        } catch {
            errors += 1
            let d = "\(error)"
            if FuzzSettings.verbose { print("  → \(d)") }
            #expect(error is DatasetError || error is TrainingError || error is NIRError, "\(name) '\(label)': \(type(of: error)): \(d)", sourceLocation: sourceLocation)
            #expect(d.contains(source), "\(name) '\(label)': message does not name \(source): \(d)", sourceLocation: sourceLocation)
            let rest = d.replacingOccurrences(of: source, with: "")
            #expect(rest.count >= 12, "\(name) '\(label)': message says too little: \(d)", sourceLocation: sourceLocation)
            if !words.isEmpty {
                #expect(words.contains { d.contains($0) }, "\(name) '\(label)': expected one of \(words) in: \(d)", sourceLocation: sourceLocation)
            }
        }
        let dt = Date().timeIntervalSince(t0)
        if FuzzSettings.verbose { print(String(format: "  %.3f s, peak RSS %.0f MiB", dt, Double(peakResidentBytes()) / 1_048_576)) }
        slowest = max(slowest, dt)
        #expect(dt < FuzzSettings.caseSeconds, "\(name) '\(label)' took \(dt) s", sourceLocation: sourceLocation)
    }

    /// Prints the counts (they go into RESULTS.md) and checks the process's peak memory.
    func report(minimumCases: Int = 1) {
        let rss = peakResidentBytes()
        print(String(
            format: "fuzz %@: %d cases (%d distinct inputs), %d errors, %d accepted, slowest case %.3f s, peak RSS %.0f MiB",
            name, cases, distinct, errors, accepted, slowest, Double(rss) / 1_048_576))
        #expect(cases >= minimumCases)
        #expect(rss < 1 << 30, "peak resident memory \(rss) bytes")
    }
}

/// Byte-level mutations of a valid file: flips, special values, truncation, insertion, duplication.
enum ByteFlip {
    static func mutate(_ original: Data, _ rng: inout FuzzRandom, protectPrefix: Int = 0) -> Data {
        var d = [UInt8](original)
        let rounds = 1 + rng.below(6)
        for _ in 0..<rounds {
            guard d.count > protectPrefix else { break }
            let at = protectPrefix + rng.below(d.count - protectPrefix)
            switch rng.below(10) {
            case 0...4: d[at] ^= UInt8(1 << rng.below(8))
            case 5: d[at] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE][rng.below(6)]
            case 6: d[at] = rng.byte()
            case 7:
                // a 4- or 8-byte little-endian field overwritten with an extreme value
                let width = rng.below(2) == 0 ? 4 : 8
                let v: UInt64 = [0, UInt64.max, UInt64(Int64.max), 0x7FFF_FFFF, 0x8000_0000, 1 << 40, 0xFFFF_FFFF][rng.below(7)]
                for k in 0..<width where at + k < d.count { d[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            case 8: d.removeSubrange(at..<min(d.count, at + 1 + rng.below(64)))
            default: d.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in rng.byte() }, at: at)
            }
        }
        return Data(d)
    }
}

extension Data {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func appendBE<T: FixedWidthInteger>(_ v: T) { Swift.withUnsafeBytes(of: v.bigEndian) { append(contentsOf: $0) } }
}
