import Foundation
import SpikeCore

/// The speech synthesizers a spoken-digit corpus can use.
public enum SpeechSynthesizer: String, Codable, Sendable, CaseIterable {
    /// espeak-ng voice variants (formant synthesis): the training corpus.
    case espeak = "espeak-ng"
    /// Festival (Debian `festival` with `festvox-*` voices: diphone and HTS synthesis): a held-out synthesizer.
    case festival
}

/// Festival's `text2wave`, and its installed English voices.
public enum Festival {
    /// Where Debian's `festvox-*` packages install English voices (`voices/english/kal_diphone`, `voices/us/…`).
    public static let voiceFolders = ["/usr/share/festival/voices/english", "/usr/share/festival/voices/us"]

    /// The installed English voices, sorted (e.g. `cmu_us_slt_arctic_hts`, `kal_diphone`, `ked_diphone`).
    /// - Throws: `DatasetError` when Festival or every English voice is missing.
    public static func installedEnglishVoices() throws -> [String] {
        _ = try executable()
        let fm = FileManager.default
        let voices = voiceFolders.flatMap { (try? fm.contentsOfDirectory(atPath: $0)) ?? [] }.sorted()
        guard !voices.isEmpty else {
            throw DatasetError(.notFound, path: voiceFolders.joined(separator: ", "), "no English Festival voice is installed (Debian: apt-get install festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)")
        }
        return voices
    }

    static func executable() throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/text2wave"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw DatasetError(.notFound, path: "text2wave", "Festival is not installed (Debian: apt-get install festival festvox-kallpc16k)")
    }

    /// Speaks `item.word` with voice `item.voice`, its duration stretched by `item.stretch`.
    public static func speak(_ item: SpokenDigitsCorpus.Item) throws -> AudioClip {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spikeloop-festival-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("word.txt"), wav = dir.appendingPathComponent("word.wav")
        try Data(item.word.utf8).write(to: text)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = [
            "-eval", "(voice_\(item.voice))", "-eval", "(Parameter.set 'Duration_Stretch \(item.stretch ?? 1))",
            "-o", wav.path, text.path,
        ]
        let errPipe = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errPipe
        try process.run()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let source = "text2wave voice \(item.voice) '\(item.word)'"
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: wav), !data.isEmpty else {
            throw DatasetError(.unreadable, path: source, "exit status \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return try WAVFile.decode(data, path: source)
    }
}
