import Foundation
import SpikeCore

/// Mono audio samples at a sample rate, as read from a WAV file or produced by a synthesizer.
public struct AudioClip: Sendable {
    public var samples: [Float]
    public var sampleRate: Double

    public init(samples: [Float], sampleRate: Double) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var duration: Double { Double(samples.count) / sampleRate }
}

/// RIFF/WAVE reading: PCM 8/16/24/32-bit, IEEE float 32/64, `WAVE_FORMAT_EXTENSIBLE`; channels are mixed to mono.
///
/// Errors name the file and the chunk or field that is wrong, so a user can tell a truncated download from an
/// unsupported codec.
public enum WAVFile {
    /// Sample rates accepted from a file's `fmt ` chunk. Below 1 kHz no speech band survives and a small file
    /// would stand for minutes of audio (1.2 KB at 1 Hz: 600 s); above 1 MHz it is not audio.
    public static let sampleRateRange = 1_000...1_000_000

    public static func read(path: String) throws -> AudioClip {
        if let size = InputLimits.fileSize(path), size > InputLimits.memoryBudget / 5 {
            throw DatasetError(InputCheck(source: path).error(
                .tooLarge, field: "file size", "\(InputLimits.formatBytes(size)) would decode beyond the memory budget",
                allowed: "≤ \(InputLimits.formatBytes(InputLimits.memoryBudget / 5)); set SPIKELOOP_MEMORY_BUDGET to raise it"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.notFound, path: path, "cannot read the audio file")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> AudioClip {
        let bytes = [UInt8](data)
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func tag(_ o: Int) -> String { String(decoding: bytes[o..<o + 4], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else {
            throw DatasetError(.corrupt, path: path, "not a RIFF/WAVE file (expected 'RIFF'....'WAVE' header)")
        }
        var format: (code: Int, channels: Int, rate: Int, bits: Int)? = nil
        var dataRange: Range<Int>? = nil
        var o = 12
        while o + 8 <= bytes.count {
            let id = tag(o)
            var size = u32(o + 4)
            let body = o + 8
            if id == "data" && body + size > bytes.count {
                // Streaming writers (espeak-ng --stdout) declare a placeholder size (0x7FFFF000 or 0xFFFFFFFF);
                // any other short data chunk is a truncated file.
                guard size >= 0x7FFF_0000 else {
                    throw DatasetError(.corrupt, path: path, "'data' chunk declares \(size) bytes but only \(bytes.count - body) are present (truncated file)")
                }
                size = bytes.count - body
            }
            guard body + size <= bytes.count else {
                throw DatasetError(.corrupt, path: path, "chunk '\(id)' declares \(size) bytes past the end of the file (truncated)")
            }
            if id == "fmt " {
                guard format == nil else { throw DatasetError(.corrupt, path: path, "more than one 'fmt ' chunk") }
                guard size >= 16 else { throw DatasetError(.corrupt, path: path, "'fmt ' chunk is \(size) bytes, expected at least 16") }
                var code = u16(body)
                if code == 0xFFFE && size >= 26 { code = u16(body + 24) }  // extensible: sub-format GUID starts with the code
                format = (code, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard dataRange == nil else { throw DatasetError(.corrupt, path: path, "more than one 'data' chunk (only one is read; the rest would be lost)") }
                dataRange = body..<(body + size)
            }
            o = body + size + (size & 1)
        }
        guard let f = format else { throw DatasetError(.corrupt, path: path, "no 'fmt ' chunk") }
        guard let range = dataRange else { throw DatasetError(.corrupt, path: path, "no 'data' chunk") }
        guard f.channels >= 1 else { throw DatasetError(.corrupt, path: path, "'fmt ' declares \(f.channels) channels") }
        let check = InputCheck(source: path)
        try datasetChecks {
            try check.inRange(f.rate, sampleRateRange, field: "'fmt ' sample rate", unit: " Hz")
        }
        let width: Int
        switch (f.code, f.bits) {
        case (1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64): width = f.bits / 8
        default:
            throw DatasetError(.unreadable, path: path, "unsupported sample format (format code \(f.code), \(f.bits) bits); supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit")
        }
        let frame = width * f.channels
        let frames = range.count / frame
        guard frames > 0 else {
            throw DatasetError(check.error(.outOfRange, field: "'data' chunk", "holds \(range.count) bytes: no complete \(frame)-byte frame", allowed: "at least one frame"))
        }
        guard range.count % frame == 0 else {
            throw DatasetError(check.error(
                .truncated, field: "'data' chunk", "holds \(range.count) bytes, not a whole number of \(frame)-byte frames (\(f.channels) channel(s) × \(width) bytes): truncated?",
                allowed: "a multiple of \(frame) bytes"))
        }
        var mono = [Float](repeating: 0, count: frames)
        let scale = 1 / Float(f.channels)
        bytes.withUnsafeBufferPointer { raw in
            let base = raw.baseAddress! + range.lowerBound
            for i in 0..<frames {
                var acc: Float = 0
                for c in 0..<f.channels {
                    let p = base + i * frame + c * width
                    let v: Float
                    switch (f.code, width) {
                    case (1, 1): v = (Float(p[0]) - 128) / 128
                    case (1, 2): v = Float(Int16(bitPattern: UInt16(p[0]) | UInt16(p[1]) << 8)) / 32768
                    case (1, 3):
                        let u = Int32(bitPattern: UInt32(p[0]) << 8 | UInt32(p[1]) << 16 | UInt32(p[2]) << 24)
                        v = Float(u >> 8) / 8_388_608
                    case (1, 4):
                        let u = Int32(bitPattern: UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24)
                        v = Float(Double(u) / 2_147_483_648)
                    case (3, 4): v = Float(bitPattern: UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24)
                    default:
                        var u: UInt64 = 0
                        for b in 0..<8 { u |= UInt64(p[b]) << (8 * UInt64(b)) }
                        v = Float(Double(bitPattern: u))
                    }
                    acc += v
                }
                mono[i] = acc * scale
            }
        }
        if f.code == 3 {
            // Float samples may be NaN or ±∞; one of them would make the RMS normalization turn the whole clip
            // into silence. Report the first, by frame and channel.
            for (i, v) in mono.enumerated() where !v.isFinite {
                for c in 0..<f.channels {
                    let o = range.lowerBound + i * frame + c * width
                    let x: Double = width == 4
                        ? Double(Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24))
                        : Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[o + $1]) << (8 * UInt64($1)) })
                    if !Float(x).isFinite || !x.isFinite {
                        throw DatasetError(check.error(
                            .notFinite, field: "'data' frame \(i) channel \(c) (at \(String(format: "%.6f", Double(i) / Double(f.rate))) s)",
                            x.isFinite ? "sample \(x) overflows a 32-bit float" : "sample \(x) is not a finite number",
                            allowed: "finite samples within ±\(Float.greatestFiniteMagnitude)"))
                    }
                }
                throw DatasetError(check.error(.notFinite, field: "'data' frame \(i)", "the channel sum \(v) is not finite", allowed: "finite samples"))
            }
        }
        return AudioClip(samples: mono, sampleRate: Double(f.rate))
    }

    /// Writes mono 16-bit PCM or 32-bit float WAV (atomically); used by tests and for exporting synthesized audio.
    public static func write(_ clip: AudioClip, to path: String, float: Bool = false) throws {
        var out = Data()
        func put16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)) }
        func put32(_ v: Int) { put16(v & 0xFFFF); put16((v >> 16) & 0xFFFF) }
        let width = float ? 4 : 2
        let dataBytes = clip.samples.count * width
        out.append(contentsOf: Array("RIFF".utf8)); put32(36 + dataBytes); out.append(contentsOf: Array("WAVE".utf8))
        out.append(contentsOf: Array("fmt ".utf8)); put32(16); put16(float ? 3 : 1); put16(1)
        let rate = Int(clip.sampleRate.rounded())
        put32(rate); put32(rate * width); put16(width); put16(width * 8)
        out.append(contentsOf: Array("data".utf8)); put32(dataBytes)
        for s in clip.samples {
            if float { put32(Int(s.bitPattern)) } else { put16(Int(Int16(clamping: Int((max(-1, min(1, s)) * 32767).rounded())))) }
        }
        let tmp = path + ".tmp-\(getpid())"
        do {
            try out.write(to: URL(fileURLWithPath: tmp))
            guard rename(tmp, path) == 0 else { throw DatasetError(.unreadable, path: path, "cannot move the file into place") }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error is DatasetError ? error : DatasetError(.unreadable, path: path, "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Band-limited resampling by a Hann-windowed sinc kernel (16 zero crossings each side, cutoff at 0.95 of the
/// lower Nyquist frequency), tabulated once so each output sample costs 32·max(1, ratio) multiply-adds.
public enum Resampler {
    static let zeroCrossings = 16
    static let tableResolution = 256
    static let table: [Float] = {
        let n = zeroCrossings * tableResolution
        return (0...n + 1).map { i in
            let x = Double(i) / Double(tableResolution)
            if x >= Double(zeroCrossings) { return 0 }
            let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
            let w = 0.5 + 0.5 * cos(Double.pi * x / Double(zeroCrossings))
            return Float(sinc * w)
        }
    }()

    public static func resample(_ clip: AudioClip, to rate: Double) -> AudioClip {
        if abs(clip.sampleRate - rate) < 1e-9 || clip.samples.isEmpty { return AudioClip(samples: clip.samples, sampleRate: rate) }
        let ratio = clip.sampleRate / rate  // input samples per output sample
        let cutoff = 0.95 * min(1, 1 / ratio)  // in units of the input Nyquist frequency
        let outCount = Int((Double(clip.samples.count) / ratio).rounded(.down))
        let halfWidth = Double(zeroCrossings) / cutoff
        let x = clip.samples
        let n = x.count
        let res = Double(tableResolution)
        var y = [Float](repeating: 0, count: outCount)
        table.withUnsafeBufferPointer { tab in
            for j in 0..<outCount {
                let center = Double(j) * ratio
                let lo = max(0, Int((center - halfWidth).rounded(.up)))
                let hi = min(n - 1, Int((center + halfWidth).rounded(.down)))
                var acc: Float = 0
                if lo <= hi {
                    for k in lo...hi {
                        let pos = abs(Double(k) - center) * cutoff * res
                        let i = Int(pos)
                        let frac = Float(pos - Double(i))
                        acc += x[k] * (tab[i] + frac * (tab[i + 1] - tab[i]))
                    }
                }
                y[j] = acc * Float(cutoff)
            }
        }
        return AudioClip(samples: y, sampleRate: rate)
    }
}
