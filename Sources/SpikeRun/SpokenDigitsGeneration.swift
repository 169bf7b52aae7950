import Foundation
import SpikeAudio
import SpikeCore
import SpikeData
import SpikeTraining

/// Synthesizes a spoken-digits corpus with espeak-ng, converts every utterance to spikes with the cochlea model
/// and writes `shd_train.h5`, `shd_test.h5` and `spoken-digits.json`: what `spikeloop dataset spoken-digits` does.
/// With Festival (a held-out synthesizer) it writes the test file alone.
///
/// One utterance per worker at a time (synthesis is a subprocess, so utterances, not channels, run in
/// parallel). Deterministic for a corpus seed and an espeak-ng installation.
public struct SpokenDigitsGeneration: Sendable {
    public var corpus: SpokenDigitsCorpus
    /// Output folder (created if needed).
    public var output: String
    /// Worker threads; nil: all cores.
    public var threads: Int?
    /// The cochlea model (default: the SHD chain, lauscher-faithful, at espeak-ng's 22.05 kHz).
    public var model: CochleaModel = .lauscher

    public init(corpus: SpokenDigitsCorpus, output: String, threads: Int? = nil) {
        self.corpus = corpus
        self.output = output
        self.threads = threads
    }

    /// What was written.
    public struct Summary: Sendable {
        public var samples: Int
        public var trainSamples: Int
        public var audioSeconds: Double
        public var wallSeconds: Double
        public var spikes: Int
        public var testSamples: Int { samples - trainSamples }
    }

    /// Generates the corpus; `progress(done, total, seconds)` is called from one worker after each of its utterances.
    /// - Throws: `CochleaError` for an impossible corpus (e.g. more test voices than voices), ``RunError`` when
    ///   a synthesis fails.
    public func run(progress: (_ done: Int, _ total: Int, _ seconds: Double) -> Void = { _, _, _ in }) throws -> Summary
    {
        try validate()
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let festival = corpus.synthesizer == .festival
        let variants = try festival ? Festival.installedEnglishVoices() : SpokenDigitsCorpus.installedVariants()
        let items = try corpus.items(variants: variants)
        let t0 = monotonicSeconds()
        var conversion = AudioConversion()
        conversion.model = model
        conversion.threads = 1
        // (Festival's voices speak at 16 and 32 kHz; the lauscher model builds each rate's filters once, on demand.)
        let cochlea = try conversion.makeCochlea(sampleRates: festival ? [] : [Synthesizer.sampleRate])
        let samples = PerWorker<SHDSample?>(count: items.count, initial: nil)
        let seconds = PerWorker<Double>(count: items.count, initial: 0)
        let failures = PerWorker<String?>(count: items.count, initial: nil)
        let workers = threads ?? availableCores
        let done = PerWorker<Int>(count: workers, initial: 0)
        parallelChunks(count: items.count, workers: workers) { w, range in
            for i in range {
                do {
                    let clip = try corpus.render(items[i])
                    let s = try cochlea.convert(
                        clip, source: corpus.synthesizer.rawValue, seed: corpus.seed &+ UInt64(i) &* 0x9E37_79B9,
                        threads: 1, maxSeconds: Cochlea.maxClipSeconds, budget: InputLimits.memoryBudget)
                    samples[i] = SHDSample(times: s.times, units: s.units, label: Int32(items[i].label))
                    seconds[i] = s.audioSeconds
                } catch { failures[i] = "\(error)" }
                done[w] += 1
                if w == 0 { progress((0..<workers).reduce(0) { $0 + done[$1] }, items.count, monotonicSeconds() - t0) }
            }
        }
        if let f = (0..<items.count).compactMap({ failures[$0] }).first {
            throw RunError(.dataGeneration, "synthesis failed: \(f)")
        }
        let wall = monotonicSeconds() - t0
        var spikes = 0
        var audio = 0.0
        for split in festival ? [true] : [false, true] {
            let idx = items.indices.filter { items[$0].test == split }
            let path = (output as NSString).appendingPathComponent(split ? "shd_test.h5" : "shd_train.h5")
            let chosen = idx.compactMap { samples[$0] }
            spikes += chosen.reduce(0) { $0 + $1.times.count }
            audio += idx.reduce(0.0) { $0 + seconds[$1] }
            try SHDWriter.write(
                chosen, speakers: idx.map { Int32(items[$0].speaker) }, keys: SpokenDigitsCorpus.classNames, to: path)
        }
        let summary = Summary(
            samples: items.count, trainSamples: items.filter { !$0.test }.count, audioSeconds: audio, wallSeconds: wall,
            spikes: spikes)
        let parameters: any Encodable = model == .lauscher ? conversion.lauscher : conversion.parameters
        try writeManifest(summary, items: items, cochlea: parameters, installedVariants: variants.count)
        return summary
    }

    /// `spoken-digits.json`: the voices of each speaker and their split, the settings and the totals.
    private func writeManifest(
        _ s: Summary, items: [SpokenDigitsCorpus.Item], cochlea: any Encodable, installedVariants: Int
    ) throws {
        let speakers = Dictionary(grouping: items, by: \.speaker).sorted { $0.key < $1.key }.map { k, v in
            ["speaker": k, "voices": Array(Set(v.map(\.voice))).sorted(), "split": v[0].test ? "test" : "train"]
                as [String: Any]
        }
        let manifest: [String: Any] = [
            "generator": "spikeloop dataset spoken-digits", "synthesizer": corpus.synthesizer.rawValue,
            "seed": corpus.seed, "voices": corpus.synthesizer == .festival ? installedVariants : corpus.voices,
            "test_voices": corpus.testVoices, "speeds": corpus.speeds, "pitches": corpus.pitches,
            "jitter": corpus.jitter, "stretches": corpus.synthesizer == .festival ? corpus.stretches : [],
            "languages": corpus.languages, "classes": SpokenDigitsCorpus.classNames, "speakers": speakers,
            "train_samples": s.trainSamples, "test_samples": s.testSamples, "audio_seconds": s.audioSeconds,
            "spikes": s.spikes, "wall_seconds": s.wallSeconds, "voices_installed": installedVariants,
            "cochlea_model": model.rawValue,
            "cochlea": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(cochlea))) ?? [:],
        ]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        try atomicWrite(
            data, to: URL(fileURLWithPath: (output as NSString).appendingPathComponent("spoken-digits.json")))
    }
}
