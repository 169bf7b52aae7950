import SpikeCore
import SpikeTraining
import _SpikeTestSupport

/// Tiny networks and inputs for reference checks.
enum Fixtures {
    struct Variant: CustomStringConvertible, Sendable {
        var reset: ResetMode
        var resetGradient: ResetGradient
        var timing: CurrentTiming
        var recurrent: Bool
        var reduction: ReadoutReduction
        var depth: Int = 1
        var hidden: Int = 5
        var description: String {
            "\(reset)/\(resetGradient)/\(timing)/\(recurrent ? "rec" : "ff")/\(reduction)/depth\(depth)x\(hidden)"
        }
    }

    static var variants: [Variant] {
        var out: [Variant] = []
        for reset in ResetMode.allCases {
            // An immediate (NIR) reset has no differentiable variant (NeuronParameters.validate rejects it).
            for rg in ResetGradient.allCases where !(reset == .immediate && rg == .differentiable) {
                for timing in CurrentTiming.allCases {
                    for rec in [false, true] {
                        out.append(Variant(reset: reset, resetGradient: rg, timing: timing, recurrent: rec, reduction: .maxOverTime))
                    }
                }
            }
        }
        out.append(Variant(reset: .subtract, resetGradient: .detached, timing: .sameStep, recurrent: false, reduction: .sumOverTime))
        out.append(Variant(reset: .zero, resetGradient: .differentiable, timing: .delayed, recurrent: true, reduction: .lastStep))
        out.append(Variant(reset: .subtract, resetGradient: .differentiable, timing: .sameStep, recurrent: false, reduction: .maxOverTime, depth: 2))
        out.append(Variant(reset: .zero, resetGradient: .detached, timing: .delayed, recurrent: true, reduction: .sumOverTime, depth: 2))
        // hidden layers wider than 16: 64-wide strides and the GEMM path between hidden layers
        out.append(Variant(reset: .subtract, resetGradient: .detached, timing: .sameStep, recurrent: false, reduction: .maxOverTime, depth: 2, hidden: 20))
        out.append(Variant(reset: .zero, resetGradient: .differentiable, timing: .delayed, recurrent: true, reduction: .sumOverTime, depth: 2, hidden: 18))
        return out
    }

    static func network(_ v: Variant, inputs: Int = 6, outputs: Int = 3, seed: UInt64 = 7) -> Network {
        let hidden = v.hidden
        let p = LIFParameters(
            tauMem: 4e-3, tauSyn: 2e-3, vThreshold: 1, reset: v.reset, resetGradient: v.resetGradient,
            currentTiming: v.timing, inputScaling: .unit)
        var sizes = [inputs]
        for _ in 0..<v.depth { sizes.append(hidden) }
        sizes.append(outputs)
        let inits = (0..<(sizes.count - 1)).map { l in WeightInit(mean: l == 0 ? 0.25 : 1.2 / Float(sizes[l]), std: l == 0 ? 0.6 : 2.4 / Float(sizes[l])) }
        return Network.feedForward(
            sizes: sizes, dt: 1e-3, hidden: p, readout: LIFParameters(tauMem: 5e-3, tauSyn: 3e-3, currentTiming: v.timing),
            initializers: inits, recurrent: v.recurrent, recurrentInit: WeightInit(mean: 0, std: 0.3), seed: seed)
    }

    static func batch(samples: Int = 3, channels: Int = 6, steps: Int = 14, seed: UInt64 = 3) -> SpikeBatch {
        var rng = SeededRandom(seed: seed)
        var events: [(sample: Int, step: Int, channel: Int)] = []
        for s in 0..<samples {
            for c in 0..<channels where rng.nextUnitFloat() < 0.8 {
                events.append((s, rng.nextIndex(below: steps / 2), c))
                if rng.nextUnitFloat() < 0.3 { events.append((s, rng.nextIndex(below: steps), c)) }
            }
        }
        let labels = (0..<samples).map { Int32($0 % 3) }
        return SpikeBatch(sampleCount: samples, stepCount: steps, channelCount: channels, events: events, labels: labels)
    }

    static let regularizers = Regularizers(
        burst: 0.01, readoutAmplitude: 0.02, upperBound: 0.05, upperThreshold: 1, lowerBound: 0.03, lowerThreshold: 2,
        hiddenL2: 0.1, readoutL2: 0.05)
}
