import Foundation
import SpikeAudio
import SpikeCore
import SpikeData
import Testing

/// Malformed WAV files and clips for the audio → spikes conversion: rates, sizes, chunks, non-finite samples.
@Suite struct WAVFuzzTests {
    struct Chunk {
        var id: String
        var body: [UInt8]
        var declared: UInt32? = nil
    }

    static func fmt(code: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 16_000, bits: UInt16 = 16, size: Int = 16) -> Chunk {
        var b = Data()
        b.appendLE(code); b.appendLE(channels); b.appendLE(rate)
        b.appendLE(rate &* UInt32(channels) &* UInt32(bits / 8)); b.appendLE(channels &* (bits / 8)); b.appendLE(bits)
        while b.count < size { b.append(0) }
        return Chunk(id: "fmt ", body: [UInt8](b.prefix(size)))
    }

    static func pcm16(_ n: Int) -> [UInt8] {
        var d = Data()
        for i in 0..<n { d.appendLE(Int16(truncatingIfNeeded: Int(8000 * sin(Double(i) * 0.3)))) }
        return [UInt8](d)
    }

    static func float32(_ values: [Float]) -> [UInt8] {
        var d = Data()
        for v in values { d.appendLE(v.bitPattern) }
        return [UInt8](d)
    }

    static func wav(_ chunks: [Chunk], riff: String = "RIFF", wave: String = "WAVE") -> Data {
        var d = Data(riff.utf8)
        var body = Data(wave.utf8)
        for c in chunks {
            body.append(contentsOf: Array(c.id.utf8))
            body.appendLE(c.declared ?? UInt32(c.body.count))
            body.append(contentsOf: c.body)
            if c.body.count % 2 == 1 && c.declared == nil { body.append(0) }
        }
        d.appendLE(UInt32(body.count))
        return d + body
    }

    static func read(_ path: String) throws {
        let clip = try WAVFile.read(path: path)
        #expect(!clip.samples.isEmpty && clip.samples.allSatisfy(\.isFinite))
        #expect(WAVFile.sampleRateRange.contains(Int(clip.sampleRate)))
    }

    @Test("malformed WAV files end in errors naming the file and the chunk or field")
    func generated() throws {
        let run = FuzzRun("WAV generated")
        func one(_ label: String, _ data: Data, _ words: [String], mayAccept: Bool = false) {
            let p = run.write(data, label, ext: "wav")
            run.check(label, source: p, words: words, mayAccept: mayAccept, input: data) { try Self.read(p) }
        }
        let data = Chunk(id: "data", body: Self.pcm16(400))
        // sample rates
        for rate: UInt32 in [0, 1, 2, 100, 999, 1_000_001, 10_000_000, 1_000_000_000, UInt32.max] {
            one("rate-\(rate)", Self.wav([Self.fmt(rate: rate), data]), ["sample rate"])
        }
        // the case: 1.2 KB declaring 1 Hz would stand for 600 s of audio
        one("rate-1-hz-1200-bytes", Self.wav([Self.fmt(rate: 1), Chunk(id: "data", body: Self.pcm16(600))]), ["sample rate", "1000...1000000"])
        // formats, channels and widths
        for (code, bits) in [(1, 0), (1, 7), (1, 12), (1, 48), (1, 64), (3, 16), (3, 8), (3, 128), (2, 4), (6, 8), (7, 8), (0, 16), (0x55, 16)] as [(UInt16, UInt16)] {
            one("format-\(code)-\(bits)", Self.wav([Self.fmt(code: code, bits: bits), data]), ["unsupported sample format"])
        }
        one("channels-0", Self.wav([Self.fmt(channels: 0), data]), ["channels"])
        one("channels-65535-short-data", Self.wav([Self.fmt(channels: 65_535), data]), ["no complete", "frame"])
        one("extensible-bad-subformat", Self.wav([{ var f = Self.fmt(code: 0xFFFE, size: 40); f.body[24] = 9; return f }(), data]), ["unsupported"])
        // sizes
        one("data-empty", Self.wav([Self.fmt(), Chunk(id: "data", body: [])]), ["no complete"])
        one("data-one-byte", Self.wav([Self.fmt(), Chunk(id: "data", body: [7])]), ["no complete"])
        one("data-odd-bytes", Self.wav([Self.fmt(), Chunk(id: "data", body: Self.pcm16(10) + [1])]), ["whole number"])
        one("data-stereo-partial-frame", Self.wav([Self.fmt(channels: 2), Chunk(id: "data", body: Self.pcm16(11))]), ["whole number"])
        for declared: UInt32 in [801, 1000, 100_000, 0x7FFE_FFFF] {
            one("data-declares-\(declared)", Self.wav([Self.fmt(), Chunk(id: "data", body: Self.pcm16(400), declared: declared)]), ["truncated"])
        }
        for declared: UInt32 in [17, 1000, UInt32.max] {
            one("list-declares-\(declared)", Self.wav([Self.fmt(), Chunk(id: "LIST", body: [1, 2, 3, 4], declared: declared), data]), ["truncated", "no 'data'", "frame"])
        }
        one("fmt-declares-past-end", Self.wav([Chunk(id: "fmt ", body: Self.fmt().body, declared: 1 << 20)]), ["truncated"])
        one("fmt-short", Self.wav([Self.fmt(size: 14), data]), ["at least 16"])
        one("fmt-zero", Self.wav([Self.fmt(size: 0), data]), ["at least 16"])
        one("no-fmt", Self.wav([data]), ["no 'fmt '"])
        one("no-data", Self.wav([Self.fmt()]), ["no 'data'"])
        one("two-data", Self.wav([Self.fmt(), data, data]), ["more than one 'data'"])
        one("two-fmt", Self.wav([Self.fmt(), Self.fmt(rate: 8000), data]), ["more than one 'fmt '"])
        for (i, (riff, wave)) in [("RIFX", "WAVE"), ("RIFF", "AVI "), ("riff", "wave"), ("\0\0\0\0", "WAVE")].enumerated() {
            one("header-\(i)", Self.wav([Self.fmt(), data], riff: riff, wave: wave), ["RIFF"])
        }
        let good = Self.wav([Self.fmt(), data])
        for cut in [0, 4, 11, 12, 20, 35, 44, good.count - 1, good.count - 100] {
            one("cut-\(cut)", good.prefix(cut), ["RIFF", "truncated", "no 'fmt '", "no 'data'", "at least 16", "whole number"])
        }
        // non-finite samples are errors, not a silent all-zero clip
        let specials: [(String, Float)] = [("nan", .nan), ("inf", .infinity), ("-inf", -.infinity), ("snan", .signalingNaN)]
        for (name, v) in specials {
            for at in [0, 57, 99] {
                var x = (0..<100).map { Float(sin(Double($0) * 0.2)) * 0.5 }
                x[at] = v
                one("float32-\(name)-at-\(at)", Self.wav([Self.fmt(code: 3, bits: 32), Chunk(id: "data", body: Self.float32(x))]), ["frame \(at)"])
            }
            var stereo = (0..<40).map { _ in Float(0.25) }
            stereo[21] = v
            one("float32-stereo-\(name)", Self.wav([Self.fmt(code: 3, channels: 2, bits: 32), Chunk(id: "data", body: Self.float32(stereo))]), ["frame 10 channel 1"])
        }
        for (name, v) in [("nan", Double.nan), ("inf", Double.infinity), ("1e300", 1e300)] {
            var d = Data()
            for i in 0..<50 { d.appendLE((i == 7 ? v : 0.1).bitPattern) }
            one("float64-\(name)", Self.wav([Self.fmt(code: 3, bits: 64), Chunk(id: "data", body: [UInt8](d))]), ["frame 7"])
        }
        // still valid: streaming writers' placeholder data size, and an odd-sized chunk padded to even
        one("placeholder-size", Self.wav([Self.fmt(), Chunk(id: "data", body: Self.pcm16(400), declared: 0xFFFF_FFFF)]), [], mayAccept: true)
        one("padded-odd-chunk", Self.wav([Self.fmt(), Chunk(id: "LIST", body: [1, 2, 3]), data]), [], mayAccept: true)
        one("valid-8-bit-1-khz", Self.wav([Self.fmt(rate: 1000, bits: 8), Chunk(id: "data", body: (0..<200).map { UInt8($0) })]), [], mayAccept: true)
        let missing = run.path("missing", ext: "wav")
        run.check("missing", source: missing, words: ["cannot read"]) { try Self.read(missing) }
        run.report(minimumCases: 70)
    }

    @Test("the checked conversion refuses clips by rate, emptiness, NaN, duration and memory")
    func conversion() throws {
        let run = FuzzRun("audio conversion")
        var p = CochleaParameters()
        p.channels = 16
        p.impulseLength = 256
        let cochlea = try Cochlea(p)
        let tone = (0..<1600).map { Float(sin(Double($0) * 0.2)) * 0.3 }
        func one(_ label: String, _ clip: AudioClip, _ words: [String], maxSeconds: Double = Cochlea.maxClipSeconds, budget: Int = FuzzSettings.memoryBudget, mayAccept: Bool = false) {
            let source = "clip-\(label).wav"
            run.check(label, source: source, words: words, mayAccept: mayAccept) {
                let s = try cochlea.convert(clip, source: source, seed: 1, threads: 1, maxSeconds: maxSeconds, budget: budget)
                #expect(s.times.allSatisfy { $0.isFinite && $0 >= 0 } && s.units.allSatisfy { $0 >= 0 && $0 < 16 })
            }
        }
        for rate in [0.0, 1, 999, -16_000, 1e9, 1e30, .nan, .infinity] {
            one("rate-\(rate)", AudioClip(samples: tone, sampleRate: rate), ["sample rate"])
        }
        one("empty", AudioClip(samples: [], sampleRate: 16_000), ["empty"])
        for (name, v) in [("nan", Float.nan), ("inf", .infinity), ("-inf", -.infinity)] {
            var x = tone
            x[800] = v
            one("sample-\(name)", AudioClip(samples: x, sampleRate: 16_000), ["samples[800]"])
        }
        // 61 s at 1 kHz: a 61 KB file, but a minute of audio beyond the cap
        one("duration-61s", AudioClip(samples: [Float](repeating: 0.1, count: 61_000), sampleRate: 1000), ["duration"])
        one("duration-cap-0.05s", AudioClip(samples: tone, sampleRate: 16_000), ["duration"], maxSeconds: 0.05)
        one("memory-budget-100KB", AudioClip(samples: tone, sampleRate: 16_000), ["memory budget"], budget: 100_000)
        one("valid-0.1s", AudioClip(samples: tone, sampleRate: 16_000), [], mayAccept: true)
        // parameters: non-finite or out-of-range settings are refused by validate(), never trap later
        for (name, change) in [
            ("sampleRate-1e30", { (q: inout CochleaParameters) in q.sampleRate = 1e30 }),
            ("sampleRate-nan", { (q: inout CochleaParameters) in q.sampleRate = .nan }),
            ("hannRamp-inf", { (q: inout CochleaParameters) in q.hannRamp = .infinity }),
            ("hannRamp-negative", { (q: inout CochleaParameters) in q.hannRamp = -1 }),
            ("impulseLength-2^40", { (q: inout CochleaParameters) in q.impulseLength = 1 << 40 }),
            ("meddisA-nan", { (q: inout CochleaParameters) in q.meddisA = .nan }),
        ] as [(String, (inout CochleaParameters) -> Void)] {
            var q = CochleaParameters()
            change(&q)
            let field = String(name.split(separator: "-")[0])
            #expect(throws: CochleaError.self, "\(name)") { try q.validate() }
            do { try q.validate() } catch { #expect("\(error)".contains(field), "\(name): \(error)") }
        }
        run.report(minimumCases: 15)
    }

    @Test("byte-flipped WAV files (PCM and float) are errors or still-valid clips")
    func byteFlips() throws {
        let run = FuzzRun("WAV byte flips")
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 0x3A7)
        let pcm = Self.wav([Self.fmt(), Chunk(id: "LIST", body: Array("INFOtest".utf8)), Chunk(id: "data", body: Self.pcm16(300))])
        let float = Self.wav([Self.fmt(code: 3, channels: 2, bits: 32), Chunk(id: "data", body: Self.float32((0..<200).map { Float($0) / 400 }))])
        let n = FuzzSettings.iterations(default: 400)
        for i in 0..<n {
            let data = ByteFlip.mutate(i % 2 == 0 ? pcm : float, &rng)
            let p = run.write(data, "flip-\(i)", ext: "wav")
            run.check("flip-\(i)", source: p, mayAccept: true, input: data) { try Self.read(p) }
        }
        run.report(minimumCases: 2)
    }
}
