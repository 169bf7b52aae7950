import Foundation
import SpikeSubstrate

/// The names of settings, and what each one means.
///
/// One scheme everywhere: a setting is `snake_case` in config files, `config.json`, checkpoint metadata, metrics,
/// TensorBoard tags and the Python package (`learning_rate`), and its flag is the same words in kebab case
/// (`--learning-rate`; a few short aliases stay: `--lr`). Swift code uses the property (`learningRate`). Config
/// files written before this scheme, with camelCase keys, still load, with a deprecation warning.
extension RunConfig {
    /// `learningRate` → `learning_rate`: a setting's name in files, metrics and Python; snake case passes through.
    public static func fileKey(_ key: String) -> String {
        var out = ""
        for c in key {
            if c.isUppercase {
                out += "_" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// `learning_rate` → `learningRate` (the Swift property); camel case passes through.
    public static func propertyKey(_ key: String) -> String {
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count > 1 else { return key }
        return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Where deprecation warnings about old config-file keys go: standard error unless replaced (tests, GUIs).
    public static var warningHandler: (String) -> Void = { message in
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// What every setting means, by property name; `spikeloop config keys` prints it with each key's flag and
    /// default. A test checks that every setting has an entry.
    public static let keyDescriptions: [String: String] = [
        "dataset": "fashion-mnist, mnist, shd (SHD-format HDF5) or synthetic; picks the other defaults",
        "dataDir": "folder with the dataset's files: IDX (mnist, fashion-mnist) or shd_train.h5/shd_test.h5 (shd)",
        "imageSize": "side of the resized images, pixels (16: the paper's 16x16)",
        "validationSamples": "validation samples carved from the training set",
        "trainSamples": "use only the first N training samples (quick runs); unset: all",
        "testSamples": "use only the first N test samples (quick runs); unset: all",
        "tauIn": "latency code time constant tau_in, seconds: t = tau_in*ln(x/(x - threshold_in))",
        "thresholdIn": "latency code threshold: pixels at or below it never spike",
        "shdTimeScale": "SHD: factor from audio time to chip time (1/2000 in the paper)",
        "shdChannelOffset": "SHD: first of the 700 channels kept",
        "shdChannelStride": "SHD: keep every Nth channel from the offset on",
        "dropout": "probability a hidden neuron's spikes are dropped per training sample (software BPTT only)",
        "rotation": "random rotation augmentation of training images, degrees (0: off)",
        "channelJitter": "shift each spike training sample by up to ±J channels, redrawn per epoch (0: off)",
        "augmentOnsetShift": "shift each spike training sample in time by up to ±N steps, redrawn per epoch (0: off)",
        "augmentChannelMask": "silence one band of up to N channels per spike training sample and epoch (0: off)",
        "augmentTimeMask": "silence one span of up to N steps per spike training sample and epoch (0: off)",
        "augmentSpikeDrop": "probability that each training spike is deleted, redrawn per epoch (0: off)",
        "hidden": "hidden layer sizes, e.g. [246] or [128, 64]",
        "recurrent": "all-to-all recurrent weights in the hidden layers",
        "steps": "time steps per sample",
        "dt": "time step, seconds of chip time (1.7e-6: the chip's ADC period)",
        "tauMem": "membrane time constant tau_m, seconds",
        "tauSyn": "synaptic time constant tau_s, seconds",
        "threshold": "firing threshold (dimensionless; leak 0)",
        "reset": "subtract (V -= threshold), zero, or immediate (NIR's)",
        "resetGradient": "detached (the paper's) or differentiable: whether the surrogate gradient flows through the reset",
        "currentTiming": "same-step (the paper's: input reaches V the step it arrives) or delayed (one step later)",
        "inputScaling": "unit (V += I) or one-minus-beta (V += (1 - beta)*I, snnTorch style)",
        "initScale": "weight SD factor of the paper's rule init_scale*(1 - beta)/sqrt(N_in)",
        "hiddenInitMean": "mean of the initial hidden weights",
        "initStd": "explicit initial weight SD per weight layer (hidden layers, then the readout); unset: the paper's rule",
        "weightLimit": "hidden weights are clipped to ±this after every step (63/240: the chip's range); unset: none",
        "surrogate": "surrogate derivative: superspike, sigmoid, exponential or triangle, with :beta (superspike:50)",
        "loss": "reduction of the readout trace over time before the softmax: max, sum or last",
        "readoutScale": "factor in front of the softmax (10 for max over 20 steps)",
        "tieBreakNoise": "SD of noise added to readout traces in training, so max-over-time has a gradient at the start",
        "burst": "hidden burst regularizer rho_b*(1/N)*sum_i (sum_t S_i)^2",
        "readoutAmplitude": "readout amplitude regularizer rho_a*mean((max_t V_out)^2)",
        "upperBound": "homeostatic upper bound strength: rho*max(0, sum S - upper_threshold)^2",
        "upperThreshold": "spike count above which the upper bound acts",
        "lowerBound": "homeostatic lower bound strength (silent neurons)",
        "lowerThreshold": "spike count below which the lower bound acts",
        "hiddenL2": "L2 penalty on hidden weights",
        "readoutL2": "L2 penalty on readout weights",
        "optimizer": "adam or sgd",
        "learningRate": "learning rate (flag --learning-rate or --lr)",
        "lrDecay": "learning-rate factor per decay period (step decay)",
        "lrDecayEvery": "epochs per decay period",
        "weightDecay": "decoupled weight decay",
        "momentum": "SGD momentum",
        "batchSize": "samples per minibatch",
        "epochs": "training epochs",
        "seed": "seed of weights, shuffling, augmentation and tie-break noise",
        "weightsOnlyCheckpoints": "write checkpoints without optimizer state (a third of the size); a resume restarts the moments",
        "threads": "worker threads; unset: all cores (config.json records the number used)",
        "learning": "learning rule: bptt, rtrl (tiny networks), onchip (the chip's plasticity processor, no host backward pass), eprop, diagonal or superspike",
        "onchipSampleEvery": "on-chip learning: membrane samples (and sensor post pulses) every this many steps",
        "onchipHomeostasis": "on-chip learning: strength of the homeostasis pulling spike counts into lower_threshold..upper_threshold",
        "feedback": "feedback of online rules: symmetric, random or uniform",
        "substrate": "software, or chip[:SEED] for in-the-loop training on the emulated analog chip",
        "chipCalibrated": "calibrate the emulated chip to tau_m and tau_s (flag --uncalibrated turns it off)",
        "chipMismatchScale": "multiplies every fixed-pattern mismatch spread of the chip (1: the documented defaults)",
        "chipNoise": "temporal membrane noise SD of the chip, threshold units",
        "chipDecalibration": "relative spread of tau_m, tau_s and (threshold - leak) applied after calibration",
        "chipSubsteps": "chip integration substeps per model step (its event clock)",
        "chipCount": "emulated chips side by side for a network larger than one chip (1: its sub-networks run one after another on the same chip); docs/PARTITION.md",
        "chipRoutingDelay": "extra delay of spikes routed between sub-networks (chips), model steps (0: delivered at the next step boundary)",
        "tensorboard": "write TensorBoard event files (tensorboard/ in the run directory): scalars and weight histograms",
    ]

    /// Every setting's property name, in `config.json` order.
    public static var allKeys: [String] {
        let encoded = RunConfig().encodedValues.keys
        return Set(encoded).union(optionalKeys).sorted { fileKey($0) < fileKey($1) }
    }

    /// The default of `key` for the image datasets, with the values synthetic and shd use where they differ:
    /// `100, synthetic: 10, shd: 50`. What `--help` and `spikeloop config keys` show.
    public static func defaultDescription(forKey key: String) -> String {
        let special = [
            "threads": "all cores", "chipNoise": "\(ChipConfig().membraneNoise)",
            "chipSubsteps": "\(ChipConfig().substeps)", "dataDir": "the dataset's usual place",
            "trainSamples": "all", "testSamples": "all", "initStd": "the paper's rule",
        ]
        if let s = special[key] { return s }
        func text(_ c: RunConfig) -> String {
            Mirror(reflecting: c).children.first { $0.label == key }.map { describe($0.value) } ?? "none"
        }
        let base = text(RunConfig())
        let others = [("synthetic", text(.synthetic)), ("shd", text(.shd))].filter { $0.1 != base }
        return ([base] + others.map { "\($0.0): \($0.1)" }).joined(separator: ", ")
    }

    /// A setting's value as a person writes it: enums by raw value, nil as `none`, arrays in brackets.
    private static func describe(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { describe($0.value) } ?? "none" }
        if let r = value as? any RawRepresentable { return "\(r.rawValue)" }
        if mirror.displayStyle == .collection { return "[" + mirror.children.map { describe($0.value) }.joined(separator: ", ") + "]" }
        return "\(value)"
    }

    /// The closest known setting to a misspelled one (`learning_rat` → `learning_rate`), in file spelling.
    static func suggestion(forKey key: String) -> String? {
        Suggestion.closest(to: fileKey(key), in: allKeys.map(fileKey))
    }
}

/// One row of `spikeloop config keys`: a setting's file name, its flag (nil without one), default and meaning.
public struct SettingDoc: Sendable, Equatable {
    public var key: String
    public var flag: String?
    public var defaultValue: String
    public var description: String

    /// Every setting, sorted by key.
    public static var all: [SettingDoc] {
        RunConfig.allKeys.map { k in
            SettingDoc(
                key: RunConfig.fileKey(k),
                flag: RunOverrides.flaggedKeys.contains(k) ? RunOverrides.flagName(forKey: k) : nil,
                defaultValue: RunConfig.defaultDescription(forKey: k),
                description: RunConfig.keyDescriptions[k] ?? "")
        }
    }

    /// The table as Markdown (docs/CONFIG.md is this output).
    public static var markdown: String {
        var lines = [
            "| key | flag | default | meaning |", "|---|---|---|---|",
        ]
        for d in all {
            let flag = d.flag.map { "`\($0)`" } ?? "—"
            lines.append("| `\(d.key)` | \(flag) | \(d.defaultValue) | \(d.description) |")
        }
        return lines.joined(separator: "\n")
    }
}
