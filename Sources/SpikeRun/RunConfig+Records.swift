import Foundation
import SpikeData
import SpikeSubstrate
import SpikeTraining

extension RunConfig {
    /// Class names of the built-in datasets, by label (the spoken-digit corpora: English 0–9, German 10–19).
    public static let knownClassNames: [String: [String]] = [
        "fashion-mnist": [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ],
        "mnist": (0..<10).map(String.init),
        "shd": [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "null", "eins", "zwei",
            "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun",
        ],
    ]

    /// `count` class names for this config's dataset (`class K` where the dataset has no names).
    public func classNames(count: Int) -> [String] {
        let known = Self.knownClassNames[dataset] ?? []
        return (0..<count).map { $0 < known.count ? known[$0] : "class \($0)" }
    }

    /// Every parameter of the input code, so that another framework can encode the data the same way.
    public var encoderDescription: [String: Any] {
        switch dataset {
        case "mnist", "fashion-mnist":
            let crop = ImageDatasetName(rawValue: dataset)?.crop ?? 0
            return [
                "kind": "latency", "dataset": dataset, "pixels": "IDX bytes / 255", "crop": crop,
                "resize": "area average to image_size x image_size (OpenCV INTER_AREA)", "image_size": imageSize,
                "tau_in": tauIn, "threshold_in": thresholdIn, "dt": dt, "steps": steps, "shift_to_earliest": true,
                "equation":
                    "t = tau_in*ln(x/(x - threshold_in)) - tau_in*ln(1/(1 - threshold_in)) for x > threshold_in; step floor(t/dt) (computed as float32 intensity bounds x_k = threshold_in/(1 - exp(-(shift + k*dt)/tau_in))); spikes at step >= steps dropped; channel = row*image_size + column",
            ]
        case "shd":
            return [
                "kind": "shd-binning", "dataset": dataset, "time_scale": shdTimeScale,
                "channel_offset": shdChannelOffset, "channel_stride": shdChannelStride, "dt": dt, "steps": steps,
                "equation":
                    "channel (unit - channel_offset)/channel_stride for units at offset + k*stride; step floor(time*time_scale/dt); the input is the spike count per channel and step (several spikes in one step add)",
            ]
        default:
            return ["kind": "synthetic", "dataset": dataset, "steps": steps, "seed": Int(seed)]
        }
    }

    /// This config with every default the code would otherwise fill in at run time written out: threads (the
    /// cores in use), the chip's membrane noise and substeps. What `config.json` records.
    public var resolved: RunConfig {
        var c = self
        let chip = chipSettings.chipConfig
        c.threads = workers
        c.chipNoise = chip.membraneNoise
        c.chipSubsteps = chip.substeps
        return c
    }

    /// `config.json`: the resolved settings, plus `chip_model` (every constant of the emulated chip, mismatch
    /// spreads scaled, for chip substrates) and `provenance` (SpikeLoop version, git commit). Both extra keys are
    /// records only: reading the file back ignores them.
    public var recordJSON: String {
        let r = resolved
        guard var obj = (try? JSONSerialization.jsonObject(with: Data(r.json.utf8))) as? [String: Any] else {
            return r.json
        }
        obj[Self.provenanceKey] = BuildInfo.record
        if (try? substrateSpec())?.isChip == true,
            let data = try? JSONEncoder().encode(chipSettings.chipConfig),
            let chip = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            obj[Self.chipModelKey] = Dictionary(uniqueKeysWithValues: chip.map { (Self.fileKey($0.key), $0.value) })
        }
        // Not `JSONValue.text`: its sanitizing would turn JSON booleans (NSNumber) into numbers; every value here
        // came from JSON already, so it is finite.
        guard let data = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .prettyPrinted])
        else { return r.json }
        return String(decoding: data, as: UTF8.self)
    }

    /// Keys of `config.json` that record rather than configure (ignored when the file is read back).
    static let provenanceKey = "provenance"
    static let chipModelKey = "chip_model"
    static let recordOnlyKeys: Set<String> = [provenanceKey, chipModelKey]
}
