import ArgumentParser
import Foundation
import SpikeAudio
import SpikeCore
import SpikeData
import SpikeTraining

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate datasets.",
        subcommands: [SpokenDigits.self])
}

struct SpokenDigits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoken-digits",
        abstract: "Synthesize spoken digits (English and German, espeak-ng) and convert them to SHD-format spikes.",
        discussion: """
            Writes shd_train.h5 and shd_test.h5 (the SHD layout; train with `spikeloop train --dataset shd \
            --data-dir DIR`) and spoken-digits.json (the voices, the split and the settings). Test voices never occur \
            in training. Deterministic for a seed and an espeak-ng installation.
            """)

    @Option(name: .shortAndLong, help: "Output folder.") var output: String
    @Option(help: "Number of voices (espeak-ng variants).") var voices: Int = 40
    @Option(help: "Voices held out for the test split.") var testVoices: Int = 10
    @Option(help: "Speaking rates in words per minute, comma-separated.") var speeds: String = "130,170,210"
    @Option(help: "Base pitches (0–99), comma-separated.") var pitches: String = "30,60"
    @Option(help: "Languages: en, de or en,de (labels 0–9 English, 10–19 German).") var languages: String = "en,de"
    @Option(help: "Seed of the voice choice, the split, the jitter and the spike generation.") var seed: UInt64 = 1
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func corpus() throws -> SpokenDigitsCorpus {
        var c = SpokenDigitsCorpus()
        c.voices = voices
        c.testVoices = testVoices
        func ints(_ s: String, _ flag: String) throws -> [Int] {
            let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !v.isEmpty, v.allSatisfy({ $0 != nil }) else { throw ValidationError("\(flag): expected comma-separated integers, got '\(s)'") }
            return v.map { $0! }
        }
        c.speeds = try ints(speeds, "--speeds")
        c.pitches = try ints(pitches, "--pitches")
        c.languages = languages.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        c.seed = seed
        do { try c.validate() } catch let e as CochleaError { throw ValidationError("--\(e.field): \(e.message)") }
        return c
    }

    func run() throws {
        let config = try corpus()
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let variants = try SpokenDigitsCorpus.installedVariants()
        let items: [SpokenDigitsCorpus.Item]
        do { items = try config.items(variants: variants) } catch let e as CochleaError { throw ValidationError("--\(e.field): \(e.message)") }
        let t0 = monotonicSeconds()
        let cochlea = try Cochlea()
        let samples = PerWorker<SHDSample?>(count: items.count, initial: nil)
        let seconds = PerWorker<Double>(count: items.count, initial: 0)
        let failures = PerWorker<String?>(count: items.count, initial: nil)
        let workers = threads ?? availableCores
        let done = PerWorker<Int>(count: workers, initial: 0)
        var progress = ProgressLine(enabled: !json)
        var nextLog = 0
        // One utterance per worker at a time: synthesis is a subprocess, so utterances (not channels) are parallel.
        parallelChunks(count: items.count, workers: workers) { w, range in
            for i in range {
                do {
                    let clip = try Synthesizer.speak(items[i])
                    let s = cochlea.convert(clip, seed: config.seed &+ UInt64(i) &* 0x9E37_79B9, threads: 1)
                    samples[i] = SHDSample(times: s.times, units: s.units, label: Int32(items[i].label))
                    seconds[i] = s.audioSeconds
                } catch { failures[i] = "\(error)" }
                done[w] += 1
                if w == 0 {
                    let n = (0..<workers).reduce(0) { $0 + done[$1] }
                    let text = String(format: "spoken digits %@ %d/%d utterances, %.0f s", ProgressLine.bar(Double(n) / Double(items.count)), n, items.count, monotonicSeconds() - t0)
                    if progress.live { progress.draw(text) } else if n >= nextLog {
                        print(text)
                        nextLog += max(1, items.count / 10)
                    }
                }
            }
        }
        progress.clear()
        if let f = (0..<items.count).compactMap({ failures[$0] }).first { throw ValidationError("synthesis failed: \(f)") }
        let wall = monotonicSeconds() - t0
        var spikes = 0, audio = 0.0
        for split in [false, true] {
            let idx = items.indices.filter { items[$0].test == split }
            let path = (output as NSString).appendingPathComponent(split ? "shd_test.h5" : "shd_train.h5")
            let chosen = idx.map { samples[$0]! }
            spikes += chosen.reduce(0) { $0 + $1.times.count }
            audio += idx.reduce(0.0) { $0 + seconds[$1] }
            try SHDWriter.write(chosen, speakers: idx.map { Int32(items[$0].speaker) }, keys: SpokenDigitsCorpus.classNames, to: path)
        }
        let trainCount = items.filter { !$0.test }.count
        let voiceNames = Dictionary(grouping: items, by: \.speaker).sorted { $0.key < $1.key }.map { k, v in
            ["speaker": k, "voices": Array(Set(v.map(\.voice))).sorted(), "split": v[0].test ? "test" : "train"] as [String: Any]
        }
        let manifest: [String: Any] = [
            "generator": "spikeloop dataset spoken-digits", "seed": config.seed, "voices": config.voices,
            "test_voices": config.testVoices, "speeds": config.speeds, "pitches": config.pitches, "jitter": config.jitter,
            "languages": config.languages, "classes": SpokenDigitsCorpus.classNames, "speakers": voiceNames,
            "train_samples": trainCount, "test_samples": items.count - trainCount, "audio_seconds": audio, "spikes": spikes,
            "wall_seconds": wall, "espeak_variants_installed": variants.count,
            "cochlea": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(cochlea.parameters))) ?? [:],
        ]
        try atomicWrite(try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]),
                        to: URL(fileURLWithPath: (output as NSString).appendingPathComponent("spoken-digits.json")))
        print(String(format: "%d utterances (%d train, %d test; %d voices, %d held out), %.1f s of audio, %.1f spikes per utterance, in %.1f s (%.1f× real time) → %@",
                     items.count, trainCount, items.count - trainCount, config.voices, config.testVoices, audio,
                     Double(spikes) / Double(max(1, items.count)), wall, audio / wall, output))
        if json {
            printJSONLine(["output": output, "samples": items.count, "train_samples": trainCount, "test_samples": items.count - trainCount,
                           "audio_seconds": audio, "wall_seconds": wall, "spikes": spikes])
        }
    }
}
