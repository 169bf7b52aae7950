import Foundation
import SpikeTraining

/// How close the on-chip e-prop program's updates come to the exact gradient (issue 14: "measure the gradient's
/// cosine to BPTT on the same network"): per sample the chip runs once, BPTT computes the gradient of the same run
/// (same chip, same noise), and the program computes its update at high precision and at chip precision; the
/// updates are summed over the samples and compared as directions (cosine of `−update` with the gradient).
public enum OnChipGradientCheck {
    public struct Cosines: Sendable, Codable {
        /// Hidden layer: exact program vs BPTT, chip program vs BPTT, chip vs exact program.
        public var hiddenExactVsBPTT, hiddenChipVsBPTT, hiddenChipVsExact: Double
        /// Readout layer, the same three.
        public var readoutExactVsBPTT, readoutChipVsBPTT, readoutChipVsExact: Double
        public var samples: Int
    }

    public static func measure(network: Network, batch: SpikeBatch, chip: EmulatedChip, objective: Objective, settings: OnChipLearningConfig, seed: UInt64) throws -> Cosines {
        try chip.load(network)
        let held = chip.residentNetwork(network)
        let T = batch.stepCount
        var programs: [OnChipEprop] = []
        for precision in [OnChipLearningConfig.Precision.exact, .chip] {
            var s = settings
            (s.precision, s.homeostasis) = (precision, 0)
            programs.append(try OnChipEprop(chip: chip, network: held, stepCount: T, objective: objective, config: s, seed: seed))
        }
        let bptt = BPTT(network: held, stepCount: T, workers: 1, chunk: 1)
        var grad = Gradients(zeroLike: held)
        var updates = [[Double]](repeating: [], count: 4)  // exact hidden, exact readout, chip hidden, chip readout
        var observation = Observation(network: held, stepCount: T, capacity: 1, recording: .full)
        for s in 0..<batch.sampleCount {
            let one = batch.subset([s])
            try chip.load(held)
            try chip.run(one, samples: 0..<1, options: RunOptions(), into: &observation, worker: 0)
            // (no load in between: BPTT's run of sample 0 sees the same noise as the recording)
            let g = try bptt.gradients(network: held, batch: one, substrate: chip, objective: objective, noiseSeed: nil).0
            for l in grad.weights.indices { for i in grad.weights[l].indices { grad.weights[l][i] += g.weights[l][i] } }
            for (p, program) in programs.enumerated() {
                try chip.load(held)  // the program reads (and changes) the chip's weights
                program.deltaLog = ([], [])
                _ = program.learn(observation, local: 0, input: one, sample: 0)
                let log = program.deltaLog!
                for (k, d) in [log.hidden, log.readout].enumerated() {
                    if updates[2 * p + k].isEmpty { updates[2 * p + k] = d } else { for i in d.indices { updates[2 * p + k][i] += d[i] } }
                }
            }
        }
        let hidden = grad.weights[0].map { -Double($0) }, readout = grad.weights[1].map { -Double($0) }
        return Cosines(
            hiddenExactVsBPTT: cosine(updates[0], hidden), hiddenChipVsBPTT: cosine(updates[2], hidden),
            hiddenChipVsExact: cosine(updates[2], updates[0]), readoutExactVsBPTT: cosine(updates[1], readout),
            readoutChipVsBPTT: cosine(updates[3], readout), readoutChipVsExact: cosine(updates[3], updates[1]),
            samples: batch.sampleCount)
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .nan }
        var (ab, aa, bb) = (0.0, 0.0, 0.0)
        for i in a.indices { (ab, aa, bb) = (ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]) }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }
}
