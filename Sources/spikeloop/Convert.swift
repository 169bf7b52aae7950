import ArgumentParser
import Foundation
import SpikeAudio
import SpikeCore
import SpikeRun

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert data into spikes.",
        subcommands: [ConvertAudio.self])
}

struct ConvertAudio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "WAV files → bushy-cell spikes in an SHD-format HDF5 file (the Spiking Heidelberg Digits pipeline).",
        discussion: """
            Stages: resampling to --sample-rate, RMS normalization to 0.3, Hann onset/offset ramps, a 700-channel \
            short-wave hydrodynamic basilar membrane (Sieroka et al. 2006), Meddis inner hair cells, 40 auditory-nerve \
            fibres and one bushy cell (LIF τm 1 ms, τs 0.5 ms, refractory 1 ms) per channel. Every parameter and \
            its source: --print-parameters. One sample per input file, in the order given.
            """)

    @Argument(help: "WAV files (PCM 8/16/24/32-bit or float; any rate; channels are mixed to mono).") var inputs: [String] = []
    @Option(name: .shortAndLong, help: "Output HDF5 file (SHD layout).") var output: String?
    @Option(parsing: .unconditional, help: "Label stored for every sample.") var label: Int = 0
    @Option(parsing: .unconditional, help: "Speaker id stored for every sample.") var speaker: Int = 0
    @Option(parsing: .unconditional, help: "Seed of the fibres' spike generation.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Pipeline sample rate in Hz (input is resampled to it; default: \(CochleaParameters().sampleRate)).") var sampleRate: Double?
    @Option(parsing: .unconditional, help: "Number of channels (places along the membrane; default: \(CochleaParameters().channels)).") var channels: Int?
    @Option(parsing: .unconditional, help: "Lowest channel resonance frequency, Hz (default: \(CochleaParameters().lowestCF)).") var lowestCf: Double?
    @Option(parsing: .unconditional, help: "Highest channel resonance frequency, Hz (below half the sample rate; default: \(CochleaParameters().highestCF)).") var highestCf: Double?
    @Option(parsing: .unconditional, help: "Hann onset/offset ramp in seconds (≥ half the clip: a full Hann window; default: \(CochleaParameters().hannRamp)).") var hannRamp: Double?
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).") var threads: Int?
    @Option(parsing: .unconditional, help: "Convert the files this many times and report the fastest (benchmarking).") var repetitions: Int = 1
    @Flag(help: "Print every cochlea parameter as JSON and exit.") var printParameters = false
    @Flag(help: "Print each channel's resonance and characteristic frequency and exit.") var printChannels = false
    @Flag(help: "Print one JSON object as the last line.") var json = false

    /// The conversion the flags describe, validated (errors name the flag and the allowed range).
    func conversion() throws -> AudioConversion {
        var p = CochleaParameters()
        if let v = sampleRate { p.sampleRate = v }
        if let v = channels { p.channels = v }
        if let v = lowestCf { p.lowestCF = v }
        if let v = highestCf { p.highestCF = v }
        if let v = hannRamp { p.hannRamp = v }
        var conversion = AudioConversion(parameters: p)
        conversion.seed = seed
        conversion.label = label
        conversion.speaker = speaker
        conversion.threads = threads
        conversion.repetitions = repetitions
        do { try conversion.validate() } catch { throw flagError(error) }
        return conversion
    }

    func run() throws {
        let conversion = try conversion()
        let p = conversion.parameters
        if printParameters {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(p), as: UTF8.self))
            return
        }
        if printChannels {
            let t0 = monotonicSeconds()
            let cochlea = try Cochlea(p)
            print(String(format: "filter bank of %d channels built in %.3f s", p.channels, monotonicSeconds() - t0))
            print("channel  resonance_Hz  characteristic_Hz  kept_energy")
            for c in 0..<p.channels {
                print(String(format: "%7d  %12.1f  %17.1f  %11.5f", c, cochlea.resonanceFrequencies[c], cochlea.characteristicFrequencies[c], cochlea.keptEnergy[c]))
            }
            return
        }
        guard !inputs.isEmpty else { throw ValidationError("give at least one WAV file") }
        guard let output = output else { throw ValidationError("--output is required (the HDF5 file to write)") }
        let r = try conversion.run(inputs: inputs, output: output)
        print(String(format: "%d file(s), %.3f s of audio → %d spikes in %d channels; %.3f s (%.1f× real time) + %.3f s filter-bank setup → %@",
                     r.files, r.audioSeconds, r.spikes, r.channels, r.wallSeconds, r.realTimeFactor, r.setupSeconds, output))
        if json {
            printJSONLine([
                "audio_seconds": r.audioSeconds, "wall_seconds": r.wallSeconds, "setup_seconds": r.setupSeconds, "spikes": r.spikes,
                "real_time_factor": r.realTimeFactor, "channels": r.channels, "output": output, "files": r.files,
            ])
        }
    }
}
