import SpikeRun
import Testing

@Suite struct RunDataTests {
    @Test("the validation split is a fixed, disjoint, sorted partition", arguments: [0, 1, 7, 8, 9, 1000])
    func split(count: Int) {
        for validation in [0, 1, 3, count, count + 5] {
            let s = RunData.split(count: count, validationSamples: validation, trainSamples: nil)
            #expect(s.validation.count == min(validation, max(0, count - 1)))
            #expect(Set(s.train).isDisjoint(with: s.validation) && s.train.count + s.validation.count == count)
            #expect(s.train == s.train.sorted() && s.validation == s.validation.sorted())
            #expect(RunData.split(count: count, validationSamples: validation, trainSamples: nil) == s)
            let limited = RunData.split(count: count, validationSamples: validation, trainSamples: 2)
            #expect(limited.train == Array(s.train.prefix(2)) && limited.validation == s.validation)
        }
    }

    @Test("the synthetic task loads with the configured sizes; testSamples cuts the test set")
    func synthetic() throws {
        var c = RunConfig.synthetic
        c.trainSamples = 120
        c.validationSamples = 30
        var d = try RunData.load(c)
        #expect(d.train.sampleCount == 120 && d.validation.sampleCount == 30 && d.test.sampleCount == 1000)
        #expect(d.classes == 10 && d.train.stepCount == c.steps && d.channels == d.train.channelCount)
        c.testSamples = 50
        d = try RunData.load(c)
        #expect(d.test.sampleCount == 50)
        c.channelJitter = 2
        #expect(d.trainBatch(epoch: 0, config: c).sampleCount == 120)
    }
}
