import Foundation
import Testing
import SpikeData

@Suite(.serialized) struct SpokenDigitsTests {
    @Test("convert audio writes SHD spikes and reports its speed; bad input names the file")
    func convertsAudio() throws {
        let dir = CLI.tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A 0.3 s, 24 kHz, 16-bit two-tone WAV written by hand.
        let rate = 24_000, n = 7200
        var d = Data("RIFF".utf8)
        func le(_ v: Int, _ k: Int) { for i in 0..<k { d.append(UInt8((v >> (8 * i)) & 0xFF)) } }
        le(36 + 2 * n, 4); d.append(contentsOf: Array("WAVEfmt ".utf8)); le(16, 4); le(1, 2); le(1, 2); le(rate, 4); le(2 * rate, 4); le(2, 2); le(16, 2)
        d.append(contentsOf: Array("data".utf8)); le(2 * n, 4)
        for i in 0..<n {
            let t = Double(i) / Double(rate)
            le(Int(Int16(8000 * sin(2 * .pi * 500 * t) + 8000 * sin(2 * .pi * 2500 * t))) & 0xFFFF, 2)
        }
        try d.write(to: URL(fileURLWithPath: dir + "/tones.wav"))
        let r = try CLI.run(["convert", "audio", dir + "/tones.wav", "--output", dir + "/tones.h5", "--label", "3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(r.lastJSON)
        #expect(abs((j["audio_seconds"] as? Double ?? 0) - 0.3) < 1e-9)
        #expect((j["wall_seconds"] as? Double ?? -1) > 0)
        let spikes = try #require(j["spikes"] as? Int)
        let file = try SHDFile(path: dir + "/tones.h5")
        let s = try file.sample(0)
        #expect(s.times.count == spikes && spikes > 100)
        #expect(s.label == 3)
        #expect(s.times.max()! <= 0.3)
        #expect(Set(s.units).count > 20, "both tones excite groups of channels")

        try Data("not a wav".utf8).write(to: URL(fileURLWithPath: dir + "/bad.wav"))
        let bad = try CLI.run(["convert", "audio", dir + "/bad.wav", "--output", dir + "/bad.h5"])
        #expect(bad.status != 0 && bad.stderr.contains("bad.wav") && bad.stderr.contains("RIFF"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bad.h5"))
        let nyquist = try CLI.run(["convert", "audio", dir + "/tones.wav", "--output", dir + "/x.h5", "--highest-cf", "9000"])
        #expect(nyquist.status != 0 && nyquist.stderr.contains("--highest-cf"), "\(nyquist.stderr)")
        let ramp = try CLI.run(["convert", "audio", dir + "/tones.wav", "--output", dir + "/x.h5", "--hann-ramp=-0.1"])
        #expect(ramp.status != 0 && ramp.stderr.contains("--hann-ramp"), "\(ramp.stderr)")
        let reps = try CLI.run(["convert", "audio", dir + "/tones.wav", "--output", dir + "/x.h5", "--repetitions", "0"])
        #expect(reps.status != 0 && reps.stderr.contains("--repetitions"), "\(reps.stderr)")
        let jitter = try CLI.run(["train", "--dataset", "synthetic", "--channel-jitter=-2", "--run-dir", CLI.tempDir()])
        #expect(jitter.status != 0 && jitter.stderr.contains("channel_jitter"), "\(jitter.stderr)")
    }

    @Test("dataset spoken-digits holds voices out of training, and train learns from it", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/espeak-ng")))
    func generatesCorpus() throws {
        let dir = CLI.tempDir()
        let args = ["dataset", "spoken-digits", "--output", dir, "--voices", "3", "--test-voices", "1", "--speeds", "160",
                    "--pitches", "50", "--languages", "en", "--seed", "7", "--json"]
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try #require(r.lastJSON)
        #expect(j["train_samples"] as? Int == 20 && j["test_samples"] as? Int == 10)
        let train = try SHDFile(path: dir + "/shd_train.h5"), test = try SHDFile(path: dir + "/shd_test.h5")
        #expect(train.sampleCount == 20 && test.sampleCount == 10)
        #expect(Set(train.labels) == Set((0..<10).map(Int32.init)))
        let trainSpeakers = Set(train.speakers ?? []), testSpeakers = Set(test.speakers ?? [])
        #expect(trainSpeakers.count == 2 && testSpeakers.count == 1 && trainSpeakers.isDisjoint(with: testSpeakers))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/spoken-digits.json"))) as? [String: Any]
        #expect((manifest?["speakers"] as? [Any])?.count == 3)
        // Same seed, same corpus.
        let again = CLI.tempDir()
        var args2 = args
        args2[3] = again
        #expect(try CLI.run(args2).status == 0)
        #expect(try SHDFile(path: again + "/shd_test.h5").sample(5) == test.sample(5))

        let bad = try CLI.run(["dataset", "spoken-digits", "--output", dir, "--voices", "3", "--test-voices", "3"])
        #expect(bad.status != 0 && bad.stderr.contains("--test-voices"), "\(bad.stderr)")

        let run = CLI.tempDir()
        let t = try CLI.run(["train", "--dataset", "shd", "--data-dir", dir, "--hidden", "32", "--steps", "100", "--dt", "5e-6",
                             "--epochs", "2", "--validation-samples", "10", "--channel-jitter", "2", "--run-dir", run, "--json"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.lastJSON?["test_accuracy"] as? Double != nil)
    }
}
