import Foundation
import SpikeAudio
import Testing

/// The utterance lists of the spoken-digit corpora (no synthesizer needed: the voice names are given).
@Suite struct SpokenDigitsCorpusTests {
    @Test("espeak-ng: whole voices are held out, every digit in both languages for every voice")
    func espeakSplit() throws {
        var c = SpokenDigitsCorpus()
        (c.voices, c.testVoices, c.speeds, c.pitches) = (4, 1, [150], [50])
        let items = try c.items(variants: ["a", "b", "c", "d", "e"])
        #expect(items.count == 4 * 20)
        let testSpeakers = Set(items.filter(\.test).map(\.speaker)), trainSpeakers = Set(items.filter { !$0.test }.map(\.speaker))
        #expect(testSpeakers.count == 1 && testSpeakers.isDisjoint(with: trainSpeakers))
        #expect(Set(items.map(\.label)) == Set(0..<20) && items.allSatisfy { $0.synthesizer == .espeak && $0.stretch == nil })
    }

    @Test("augmented copies: every training utterance gets K renditions with distinct seeds; test utterances none")
    func augmentedCopies() throws {
        var c = SpokenDigitsCorpus()
        (c.voices, c.testVoices, c.speeds, c.pitches, c.augmentedCopies) = (3, 1, [150], [50], 2)
        let items = try c.items(variants: ["a", "b", "c"])
        let train = items.filter { !$0.test }, test = items.filter(\.test)
        #expect(train.count == 2 * 20 * 3 && test.count == 20 && test.allSatisfy { $0.augmentationSeed == nil })
        let seeds = train.compactMap(\.augmentationSeed)
        #expect(seeds.count == 2 * 20 * 2 && Set(seeds).count == seeds.count)
    }

    @Test("Festival: a test set only — every voice × English digit × stretch, labels 0–9")
    func festivalTestSet() throws {
        var c = SpokenDigitsCorpus()
        (c.synthesizer, c.languages, c.stretches) = (.festival, ["en"], [0.9, 1.1])
        let items = try c.items(variants: ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"])
        #expect(items.count == 3 * 10 * 2)
        #expect(items.allSatisfy { $0.test && $0.synthesizer == .festival && $0.language == "en" })
        #expect(Set(items.map(\.label)) == Set(0..<10) && Set(items.compactMap(\.stretch)) == [0.9, 1.1])
        #expect(items.filter { $0.voice == "ked_diphone" && $0.word == "seven" }.map(\.label) == [7, 7])
    }

    @Test("Festival refuses German and out-of-range stretches, naming the setting")
    func festivalRefusals() {
        var c = SpokenDigitsCorpus()
        c.synthesizer = .festival
        #expect { try c.validate() } throws: { "\($0)".contains("languages") }
        c.languages = ["en"]
        c.stretches = [3]
        #expect { try c.validate() } throws: { "\($0)".contains("stretches") }
    }
}
