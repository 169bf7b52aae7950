import ArgumentParser
import Foundation
import SpikeAudio
import SpikeRun

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
            in training. Deterministic for a seed and an espeak-ng installation. \
            --synthesizer festival writes a held-out-synthesizer test set instead (shd_test.h5 only): the English \
            digits spoken by every installed English Festival voice at each --stretches factor (labels 0–9; \
            evaluate a model trained on espeak-ng with `spikeloop evaluate CKPT --data-dir DIR`; never train on it).
            """)

    @Option(name: .shortAndLong, help: "Output folder.") var output: String
    @Option(parsing: .unconditional, help: "Number of voices (espeak-ng variants).") var voices: Int = 40
    @Option(parsing: .unconditional, help: "Voices held out for the test split.") var testVoices: Int = 10
    @Option(help: "Speaking rates in words per minute, comma-separated.") var speeds: String = "130,170,210"
    @Option(help: "Base pitches (0–99), comma-separated.") var pitches: String = "30,60"
    @Option(help: "Languages: en, de or en,de (labels 0–9 English, 10–19 German).") var languages: String = "en,de"
    @Option(parsing: .unconditional, help: "Seed of the voice choice, the split, the jitter and the spike generation.") var seed: UInt64 = 1
    @Option(help: "Synthesizer: espeak-ng (train and test splits) or festival (a held-out test set, English only).") var synthesizer: String = "espeak-ng"
    @Option(help: "Festival: duration stretch factors, comma-separated (> 1 speaks slower).") var stretches: String = "0.8,0.9,1.0,1.12,1.25"
    @Option(parsing: .unconditional, help: "Extra renditions of every training utterance through audio augmentation (speed ±10 %, loudness ±6 dB, reverberation and noise at 10–30 dB SNR, each with probability 0.5; test voices are never augmented).") var augmentedCopies: Int = 0
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Cochlea model: lauscher (the SHD chain, default) or fast.") var cochlea: CochleaModel = .lauscher
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
        c.augmentedCopies = augmentedCopies
        guard let kind = SpeechSynthesizer(rawValue: synthesizer) else {
            throw ValidationError("--synthesizer: expected \(SpeechSynthesizer.allCases.map(\.rawValue).joined(separator: " or ")), got '\(synthesizer)'")
        }
        c.synthesizer = kind
        if kind == .festival {
            let values = stretches.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw ValidationError("--stretches: expected comma-separated numbers, got '\(stretches)'") }
            c.stretches = values.map { $0! }
            if languages == "en,de" { c.languages = ["en"] }  // (the default) Festival's voices speak English
        }
        do { try c.validate() } catch let e as CochleaError { throw ValidationError("--\(e.field): \(e.message)") }
        return c
    }

    func run() throws {
        let config = try corpus()
        var generation = SpokenDigitsGeneration(corpus: config, output: output, threads: threads)
        generation.model = cochlea
        do { try generation.validate() } catch { throw flagError(error) }
        var progress = ProgressLine(enabled: !json)
        var nextLog = 0
        let summary: SpokenDigitsGeneration.Summary
        do {
            summary = try generation.run { n, total, seconds in
                let text = String(format: "spoken digits %@ %d/%d utterances, %.0f s", ProgressLine.bar(Double(n) / Double(total)), n, total, seconds)
                if progress.live { progress.draw(text) } else if n >= nextLog {
                    print(text)
                    nextLog += max(1, total / 10)
                }
            }
        } catch let e as CochleaError {
            throw ValidationError("--\(e.field): \(e.message)")
        } catch let e as RunError where e.code == .dataGeneration {
            throw ValidationError(e.message)
        }
        progress.clear()
        let s = summary
        let voicesText = config.synthesizer == .festival ? "Festival voices, test set only" : "\(config.voices) voices, \(config.testVoices) held out"
        print(String(format: "%d utterances (%d train, %d test; %@), %.1f s of audio, %.1f spikes per utterance, in %.1f s (%.1f× real time) → %@",
                     s.samples, s.trainSamples, s.testSamples, voicesText, s.audioSeconds,
                     Double(s.spikes) / Double(max(1, s.samples)), s.wallSeconds, s.audioSeconds / s.wallSeconds, output))
        if json {
            printJSONLine(["output": output, "samples": s.samples, "train_samples": s.trainSamples, "test_samples": s.testSamples,
                           "audio_seconds": s.audioSeconds, "wall_seconds": s.wallSeconds, "spikes": s.spikes])
        }
    }
}
