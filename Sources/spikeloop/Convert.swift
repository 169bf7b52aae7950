import ArgumentParser
import Foundation
import SpikeAudio
import SpikeCore
import SpikeRun

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert data into spikes.",
        subcommands: [ConvertAudio.self, CompareLauscher.self])
}

struct ConvertAudio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio",
        abstract: "WAV files → bushy-cell spikes in an SHD-format HDF5 file (the Spiking Heidelberg Digits pipeline).",
        discussion: """
            --cochlea lauscher (default) reproduces the SHD authors' chain (lauscher 1.0.1) at each file's own sample \
            rate: RMS normalization to 0.3, a full Hann window, a 700-channel shallow-water basilar membrane \
            (Sieroka et al. 2006; channel 0 = base, the highest frequencies), Meddis inner hair cells, 40 \
            auditory-nerve fibres and one bushy cell (LIF τm 1 ms, τs 0.5 ms, refractory 1 ms) per channel, at half \
            the input rate. --cochlea fast is the earlier model: resampling to --sample-rate, Hann ramps, a WKB \
            short-wave membrane on a Greenwood map (channel 0 = apex). Every parameter: --print-parameters. One \
            sample per input file, in the order given.
            """)

    @Argument(help: "WAV files (PCM 8/16/24/32-bit or float; any rate; channels are mixed to mono).") var inputs: [String] = []
    @Option(name: .shortAndLong, help: "Output HDF5 file (SHD layout).") var output: String?
    @Option(parsing: .unconditional, help: "Label stored for every sample.") var label: Int = 0
    @Option(parsing: .unconditional, help: "Speaker id stored for every sample.") var speaker: Int = 0
    @Option(parsing: .unconditional, help: "Seed of the fibres' spike generation.") var seed: UInt64 = 0
    @Option(help: "Cochlea model: lauscher (SHD chain, default) or fast.") var cochlea: CochleaModel = .lauscher
    @Option(parsing: .unconditional, help: "Number of channels (places along the membrane; default: \(CochleaParameters().channels)).") var channels: Int?
    @Option(parsing: .unconditional, help: "fast: pipeline sample rate in Hz (input is resampled to it; default: \(CochleaParameters().sampleRate)).") var sampleRate: Double?
    @Option(parsing: .unconditional, help: "fast: lowest channel resonance frequency, Hz (default: \(CochleaParameters().lowestCF)).") var lowestCf: Double?
    @Option(parsing: .unconditional, help: "fast: highest channel resonance frequency, Hz (below half the sample rate; default: \(CochleaParameters().highestCF)).") var highestCf: Double?
    @Option(parsing: .unconditional, help: "fast: Hann onset/offset ramp in seconds (≥ half the clip: a full Hann window; default: \(CochleaParameters().hannRamp)).") var hannRamp: Double?
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
        conversion.model = cochlea
        if let v = channels { conversion.lauscher.channels = v }
        conversion.seed = seed
        conversion.label = label
        conversion.speaker = speaker
        conversion.threads = threads
        conversion.repetitions = repetitions
        do { try conversion.validate() } catch { throw flagError(error) }
        if cochlea == .lauscher, sampleRate != nil || lowestCf != nil || highestCf != nil || hannRamp != nil {
            throw ValidationError("--sample-rate, --lowest-cf, --highest-cf and --hann-ramp belong to --cochlea fast; lauscher runs at each file's own rate")
        }
        return conversion
    }

    func run() throws {
        let conversion = try conversion()
        let p = conversion.parameters
        if printParameters {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: cochlea == .lauscher ? try enc.encode(conversion.lauscher) : try enc.encode(p), as: UTF8.self))
            return
        }
        if printChannels && cochlea == .lauscher {
            let l = conversion.lauscher
            print("channel  place_cm  resonance_Hz")
            for c in 0..<l.channels { print(String(format: "%7d  %8.4f  %12.1f", c, l.place(c), l.resonance(l.place(c)))) }
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

extension CochleaModel: ExpressibleByArgument {}

struct CompareLauscher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare-lauscher",
        abstract: "Compare our conversion of WAV files with lauscher's reference spikes (issue 18 figures).",
        discussion: """
            For every X.wav in the folder with an X.lauscher.npy next to it (float32 [2, N]: times s; channels, as \
            scripts/make-lauscher-reference.sh writes them): per-channel spike-count correlation, total-spike ratio, \
            and the correlation of (20 channel bands × 10 ms) histograms. Targets: ≥ 0.95, 0.9–1.1, ≥ 0.9.
            """)

    @Argument(help: "Folder with the WAVs and references.") var folder = "Tests/Fixtures/lauscher"
    @Option(help: "Cochlea model to compare.") var cochlea: CochleaModel = .lauscher
    @Option(parsing: .unconditional, help: "Seed of the fibres' spike generation.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Also write one JSON line per file here.") var jsonl: String?

    func run() throws {
        var conversion = AudioConversion()
        conversion.model = cochlea
        let model = try conversion.makeCochlea()
        var comparison = LauscherComparison()
        comparison.seed = seed
        comparison.threads = threads ?? availableCores
        var lines: [String] = []
        var results: [LauscherComparison.FileResult] = []
        print("file                              rate     s  lauscher   ours  ratio  r_channel  rho    r_expected  r_hist  wall_s  cpu_s")
        for (wav, ref) in try LauscherComparison.pairs(in: URL(fileURLWithPath: folder)) {
            let r = try comparison.compare(wav: wav, reference: ref, cochlea: model)
            results.append(r)
            print(String(format: "%@ %6.0f %5.2f %8d %6d %6.3f %9.4f %6.3f %11.4f %7.4f %7.3f %6.3f", r.file.padding(toLength: 32, withPad: " ", startingAt: 0), r.sampleRate,
                         r.audioSeconds, r.lauscherSpikes, r.spikes, r.totalRatio, r.channelCorrelation, r.splitHalfReliability,
                         r.expectedChannelCorrelation, r.histogramCorrelation, r.wallSeconds, r.cpuSeconds))
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            var obj = try JSONSerialization.jsonObject(with: enc.encode(r)) as! [String: Any]
            obj["model"] = cochlea.rawValue
            obj["seed"] = seed
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        }
        guard !results.isEmpty else { throw ValidationError("no X.wav with X.lauscher.npy in \(folder)") }
        func summary(_ name: String, _ v: [Double]) -> String {
            String(format: "%@ min %.4f mean %.4f max %.4f", name, v.min()!, v.reduce(0, +) / Double(v.count), v.max()!)
        }
        print(summary("r_channel ", results.map(\.channelCorrelation)))
        print(summary("rho       ", results.map(\.splitHalfReliability)))
        print(summary("r_expected", results.map(\.expectedChannelCorrelation)))
        print(summary("ratio     ", results.map(\.totalRatio)))
        print(summary("r_hist    ", results.map(\.histogramCorrelation)))
        let audio = results.reduce(0) { $0 + $1.audioSeconds }, wall = results.reduce(0) { $0 + $1.wallSeconds }
        let cpu = results.reduce(0) { $0 + $1.cpuSeconds }
        print(String(format: "%.2f s of audio in %.3f s wall (%.1f× real time), %.3f CPU s (%.1f× real time per core)",
                     audio, wall, audio / wall, cpu, audio / cpu))
        if let path = jsonl { try atomicWrite(Data((lines.joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: path)) }
    }
}
