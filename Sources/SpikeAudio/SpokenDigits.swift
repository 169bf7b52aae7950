import Foundation
import SpikeCore

/// A synthesized spoken-digit corpus in the SHD layout: digits 0–9 in English (labels 0–9) and German
/// (labels 10–19) spoken by `espeak-ng` voices at several speeds and pitches, converted by `Cochlea`.
///
/// As in SHD, the test split's speakers never occur in training: a "speaker" is one espeak-ng voice variant
/// (with its own English accent), and whole voices are held out. With ``synthesizer`` `.festival` the corpus is a
/// test set only: the English digits spoken by every installed English Festival voice at several speaking rates —
/// a held-out *synthesizer*, for measuring how a model trained on espeak-ng generalizes (never for training).
public struct SpokenDigitsCorpus: Codable, Sendable {
    public static let englishWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    public static let germanWords = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
    /// English accents a voice may speak with (espeak-ng language codes).
    public static let englishAccents = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-us-nyc"]

    public var voices: Int = 40
    public var testVoices: Int = 10
    /// Speaking rates in words per minute (espeak-ng `-s`), each jittered by up to ±`jitter`·rate per rendition.
    public var speeds: [Int] = [130, 170, 210]
    /// Base pitches (espeak-ng `-p`, 0–99), jittered likewise.
    public var pitches: [Int] = [30, 60]
    public var jitter: Double = 0.08
    /// "en", "de" or both.
    public var languages: [String] = ["en", "de"]
    public var seed: UInt64 = 1
    public var synthesizer = SpeechSynthesizer.espeak
    /// Festival only: duration stretch factors (Festival's `Duration_Stretch`; > 1 speaks slower).
    public var stretches: [Double] = [0.8, 0.9, 1.0, 1.12, 1.25]
    /// Extra renditions of every *training* utterance, each through ``audioAugmentation`` with its own seed (test
    /// utterances are never augmented).
    public var augmentedCopies = 0
    public var audioAugmentation = AudioAugmentation()

    public init() {}

    /// One utterance to synthesize.
    public struct Item: Codable, Sendable {
        public var voice: String
        public var speaker: Int
        public var language: String
        public var word: String
        public var label: Int
        public var speed: Int
        public var pitch: Int
        public var test: Bool
        public var synthesizer = SpeechSynthesizer.espeak
        /// Festival's duration stretch (nil for espeak-ng).
        public var stretch: Double? = nil
        /// Seed of this rendition's audio augmentation (nil: the plain synthesis).
        public var augmentationSeed: UInt64? = nil
    }

    public func validate() throws {
        func bad(_ flag: String, _ why: String) -> Error { CochleaError(field: flag, message: why) }
        guard voices >= 2 else { throw bad("voices", "need at least 2 voices, got \(voices)") }
        guard testVoices >= 1 && testVoices < voices else { throw bad("test-voices", "must be in 1…\(voices - 1), got \(testVoices)") }
        guard !speeds.isEmpty, speeds.allSatisfy({ (80...450).contains($0) }) else { throw bad("speeds", "each must be in 80…450 words per minute") }
        guard !pitches.isEmpty, pitches.allSatisfy({ (0...99).contains($0) }) else { throw bad("pitches", "each must be in 0…99") }
        guard !languages.isEmpty, languages.allSatisfy({ ["en", "de"].contains($0) }) else { throw bad("languages", "must be en, de or both") }
        guard (0...0.5).contains(jitter) else { throw bad("jitter", "must be in 0…0.5") }
        guard (0...20).contains(augmentedCopies) else { throw bad("augmented-copies", "must be in 0…20, got \(augmentedCopies)") }
        if synthesizer == .festival {
            guard augmentedCopies == 0 else { throw bad("augmented-copies", "the Festival set is a test set: it is never augmented") }
            guard languages == ["en"] else { throw bad("languages", "Festival's installed voices speak English only: use --languages en") }
            guard !stretches.isEmpty, stretches.allSatisfy({ (0.5...2).contains($0) }) else { throw bad("stretches", "each must be in 0.5…2") }
        }
    }

    /// The espeak-ng voice variants installed on this machine, sorted (`espeak-ng --voices=variant`).
    public static func installedVariants() throws -> [String] {
        let out = try Synthesizer.run(["--voices=variant"])
        let names = String(decoding: out, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line -> String? in
            let cols = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cols.count >= 5 else { return nil }
            return String(cols[4].split(separator: "/").last ?? cols[4])
        }
        // "fast" is a test variant (no voice of its own).
        return Array(Set(names)).filter { $0 != "fast" }.sorted()
    }

    /// Every utterance of the corpus, deterministic for the seed and the installed variants (Festival: voices).
    public func items(variants: [String]) throws -> [Item] {
        try validate()
        if synthesizer == .festival { return festivalItems(voices: variants) }
        guard variants.count >= voices else {
            throw CochleaError(field: "voices", message: "\(voices) voices requested but espeak-ng has \(variants.count) variants installed")
        }
        var rng = SeededRandom(seed: seed, stream: 0x5D16)
        var order = Array(variants.indices)
        order.seededShuffle(&rng)
        let chosen = order.prefix(voices).map { variants[$0] }
        var items: [Item] = []
        for (v, variant) in chosen.enumerated() {
            let accent = Self.englishAccents[rng.nextIndex(below: Self.englishAccents.count)]
            for language in languages {
                let words = language == "en" ? Self.englishWords : Self.germanWords
                for (digit, word) in words.enumerated() {
                    for speed in speeds {
                        for pitch in pitches {
                            func jittered(_ x: Int) -> Int { Int((Double(x) * (1 + jitter * (2 * rng.nextUnitDouble() - 1))).rounded()) }
                            items.append(Item(
                                voice: "\(language == "en" ? accent : "de")+\(variant)", speaker: v,
                                language: language, word: word, label: digit + (language == "en" ? 0 : 10),
                                speed: jittered(speed), pitch: min(99, max(0, jittered(pitch))), test: v < testVoices))
                            if v < testVoices { continue }
                            let original = items[items.count - 1]
                            for _ in 0..<augmentedCopies {
                                var c = original
                                c.augmentationSeed = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(items.count)
                                items.append(c)
                            }
                        }
                    }
                }
            }
        }
        return items
    }

    /// The Festival test set: every voice × English digit × stretch, all in the test split.
    func festivalItems(voices: [String]) -> [Item] {
        voices.enumerated().flatMap { v, voice in
            Self.englishWords.enumerated().flatMap { digit, word in
                stretches.map { s in
                    Item(voice: voice, speaker: v, language: "en", word: word, label: digit, speed: 0, pitch: 0,
                         test: true, synthesizer: .festival, stretch: s)
                }
            }
        }
    }

    /// The audio of `item`: synthesized, then augmented when the item is an augmented rendition.
    public func render(_ item: Item) throws -> AudioClip {
        let clip = try Synthesizer.speak(item)
        return item.augmentationSeed.map { audioAugmentation.apply(to: clip, seed: $0) } ?? clip
    }

    /// Class names indexed by label, as stored in `extra/keys`.
    public static var classNames: [String] {
        englishWords.map { "english \($0)" } + germanWords.map { "german \($0)" }
    }
}

/// Runs `espeak-ng` and returns its WAV output.
public enum Synthesizer {
    /// espeak-ng's output rate, Hz.
    public static let sampleRate = 22_050.0

    static func executable() throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/espeak-ng"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw DatasetError(.notFound, path: "espeak-ng", "the speech synthesizer is not installed (Debian: apt-get install espeak-ng)")
    }

    static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments
        let pipe = Pipe(), errPipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errPipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DatasetError(.unreadable, path: "espeak-ng", "exit status \(process.terminationStatus) for \(arguments.joined(separator: " ")): \(String(decoding: err, as: UTF8.self))")
        }
        return data
    }

    /// Speaks `item` and returns the audio.
    public static func speak(_ item: SpokenDigitsCorpus.Item) throws -> AudioClip {
        if item.synthesizer == .festival { return try Festival.speak(item) }
        let wav = try run(["-v", item.voice, "-s", "\(item.speed)", "-p", "\(item.pitch)", "--stdout", item.word])
        return try WAVFile.decode(wav, path: "espeak-ng -v \(item.voice) '\(item.word)'")
    }
}
