import Foundation
import SpikeRun
import SpikeTraining
import Testing

/// `learning: onchip` through the library: the chip learns, the host reads back what it holds.
@Suite(.serialized) struct OnChipRunTests {
    static func config() -> RunConfig {
        var c = TrainingRunTests.tinyConfig()
        (c.learning, c.substrate, c.loss, c.readoutScale, c.surrogate) = ("onchip", "chip:1", .sumOverTime, 0.5, "superspike:10")
        (c.learningRate, c.epochs, c.onchipHomeostasis) = (0.005, 1, 0)
        (c.trainSamples, c.validationSamples, c.testSamples, c.batchSize) = (60, 20, 20, 20)
        c.chipCalibrated = false  // (calibration costs minutes in a debug build)
        return c
    }

    @Test("on-chip learning changes the chip's weights with no host backward pass and reports chip time per image")
    func trainsOnChip() throws {
        let config = Self.config()
        let run = try TrainingRun(config: config, directory: try RunDirectory.create(at: RunDirectoryTests.tempURL(), config: config))
        run.writesReport = false
        let before = run.trainer.network
        guard case .completed(let r) = try run.run() else {
            Issue.record("run stopped")
            return
        }
        #expect(r.network.layers[0].weights != before.layers[0].weights)
        // the weights the host reports are the chip's own codes / 240
        #expect(r.network.layers[0].weights.allSatisfy { abs($0 * 240 - ($0 * 240).rounded()) < 1e-3 })
        let c = try #require(r.onChip)
        #expect(c.samples == 60 && c.chipSecondsPerImage > c.ppuSecondsPerImage && c.ppuSecondsPerImage > 0)
        #expect(r.jsonObject["host_backward"] as? Bool == false && r.jsonObject["learning"] as? String == "onchip")
    }

    @Test("onchip without a chip, with max-over-time, or with two hidden layers is refused naming the setting")
    func refusals() throws {
        var c = Self.config()
        c.substrate = "software"
        #expect(throws: (any Error).self) { try c.validate() }
        do { try c.validate() } catch { #expect("\(error)".contains("substrate chip")) }
        c = Self.config()
        c.loss = .maxOverTime
        do { try c.validate(); Issue.record("max accepted") } catch { #expect("\(error)".contains("loss")) }
        c = Self.config()
        c.hidden = [16, 16]
        do { try c.validate(); Issue.record("two layers accepted") } catch { #expect("\(error)".contains("hidden")) }
    }
}
