import SpikeCore

/// Which audio → spike model converts clips.
///
/// `lauscher` (the default) reproduces the SHD authors' chain at the file's own sample rate, channel 0 = base;
/// `fast` is our earlier model (resampling to 16 kHz, WKB short-wave membrane on a Greenwood map, channel 0 = apex,
/// medium-spontaneous-rate Meddis parameters): sharper tuning and a documented parameter set, but its spikes are
/// not SHD's, so models trained on real SHD cannot read them.
public enum CochleaModel: String, Codable, CaseIterable, Sendable {
    case lauscher
    case fast
}

/// A converter of clips to SHD-format spikes, checked for untrusted input.
public protocol SpikeCochlea: AnyObject, Sendable {
    func convert(
        _ clip: AudioClip, source: String, seed: UInt64, threads: Int, maxSeconds: Double, budget: Int
    ) throws -> CochleaSpikes
}

extension Cochlea: SpikeCochlea {}
