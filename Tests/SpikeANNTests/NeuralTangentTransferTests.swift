import Foundation
import Testing
import SpikeCore
@testable import SpikeANN
@testable import SpikeTraining

/// Neural Tangent Transfer on ReLU networks: the kernel and the loss gradient against finite differences.
@Suite struct NeuralTangentTransferTests {
    static func tiny(seed: UInt64) -> ANNTangentModel {
        let net = ANNNetwork(
            layers: [.linear(inputs: 5, outputs: 6), .relu, .linear(inputs: 6, outputs: 3)], inputCount: 5,
            weightStd: [0.6, 0.5], logitScale: 1, seed: seed)
        var rng = SeededRandom(seed: 99)
        return ANNTangentModel(network: net, inputs: (0..<(6 * 5)).map { _ in Float(rng.nextGaussian()) })
    }

    /// Outputs of all samples with the parameters `p`.
    static func outputs(_ model: ANNTangentModel, _ p: [[Float]], samples: [Int]) throws -> [Double] {
        var m = model
        m.parameters = p
        return try m.pullback(samples: samples, vectors: [Float](repeating: 0, count: samples.count * 3)).outputs.map(Double.init)
    }

    @Test("the tangent kernel of a tiny ReLU network equals the Jacobian product by finite differences")
    func kernelMatchesFiniteDifferences() throws {
        let model = Self.tiny(seed: 1)
        let (a, b) = ([0, 1, 2], [3, 4, 5])
        typealias NTT = NeuralTangentTransfer<ANNTangentModel>
        let exact = (0..<3).map { k in (0..<3).map { $0 == k ? Float(3).squareRoot() : 0 } }
        let (rows, _) = try NTT.jacobianRows(model, samples: a + b, vectors: exact)
        let theta = NTT.kernel(Array(rows[..<3]), Array(rows[3...]))
        // Jacobian columns ∂z_k(x_s)/∂θ_j by central differences (in Float; the network is piecewise bilinear)
        let p = model.parameters
        var J = [[Double]](repeating: [], count: 6)  // [sample] → [k·P + j]
        for s in 0..<6 { J[s] = [Double](repeating: 0, count: 3 * p.joined().count) }
        var j = 0
        let h: Float = 1e-2
        for t in p.indices {
            for i in p[t].indices {
                var plus = p, minus = p
                plus[t][i] += h
                minus[t][i] -= h
                let zp = try Self.outputs(model, plus, samples: Array(0..<6)), zm = try Self.outputs(model, minus, samples: Array(0..<6))
                for s in 0..<6 { for k in 0..<3 { J[s][k * p.joined().count + j] = (zp[s * 3 + k] - zm[s * 3 + k]) / Double(2 * h) } }
                j += 1
            }
        }
        for x in 0..<3 {
            for y in 0..<3 {
                let fd = zip(J[a[x]], J[b[y]]).reduce(0) { $0 + $1.0 * $1.1 }
                let err = abs(theta[x * 3 + y] - fd) / max(1, abs(fd))
                #expect(err < 1e-3, "Θ(\(a[x]), \(b[y])): pullbacks \(theta[x * 3 + y]), finite differences \(fd)")
            }
        }
        #expect(theta.contains { abs($0) > 0.1 })
    }

    @Test("random output projections estimate the exact trace kernel without bias")
    func randomProjections() throws {
        let model = Self.tiny(seed: 2)
        typealias NTT = NeuralTangentTransfer<ANNTangentModel>
        let exact = (0..<3).map { k in (0..<3).map { $0 == k ? Float(3).squareRoot() : 0 } }
        let (rows, _) = try NTT.jacobianRows(model, samples: [0, 1, 2, 3], vectors: exact)
        let reference = NTT.kernel(Array(rows[..<2]), Array(rows[2...]))
        var settings = NTTSettings(density: 1)
        settings.projections = 1
        let ntt = NTT(teacher: model, student: model, settings: settings)
        var rng = SeededRandom(seed: 5)
        var mean = [Double](repeating: 0, count: 4)
        let draws = 4000
        for _ in 0..<draws {
            let (r, _) = try NTT.jacobianRows(model, samples: [0, 1, 2, 3], vectors: ntt.projectionVectors(&rng))
            for (i, v) in NTT.kernel(Array(r[..<2]), Array(r[2...])).enumerated() { mean[i] += v / Double(draws) }
        }
        let scale = reference.map(abs).max()!
        for i in 0..<4 {
            #expect(abs(mean[i] - reference[i]) < 0.06 * scale, "entry \(i): mean of projections \(mean[i]), exact \(reference[i])")
        }
    }

    @Test("the NTT loss gradient matches central finite differences on a tiny ReLU network", arguments: [nil, 2] as [Int?])
    func lossGradient(projections: Int?) throws {
        var settings = NTTSettings(density: 0.5)
        settings.projections = projections
        settings.kernelWeight = 0.7
        settings.l2 = 1e-3
        let ntt = NeuralTangentTransfer(teacher: Self.tiny(seed: 3), student: Self.tiny(seed: 4), settings: settings)
        // move θ off the teacher so that outputs and kernels differ
        ntt.setParameters(Self.tiny(seed: 4).parameters)
        var rng = SeededRandom(seed: 8)
        let vectors = ntt.projectionVectors(&rng)
        let batch = [0, 1, 2, 3, 4, 5]
        let ev = try ntt.evaluate(batch: batch, vectors: vectors)
        #expect(ev.droppedProducts == 0 && ev.products == 6 * vectors.count)
        let p = ntt.parameters
        let h: Float = 1e-2
        var worst = 0.0, norm = 0.0, skipped = 0
        for t in p.indices {
            for i in p[t].indices {
                var plus = p, minus = p
                plus[t][i] += h
                minus[t][i] -= h
                // a step across a ReLU kink makes the difference meaningless: skip those coordinates
                guard try Self.patterns(ntt, plus, batch) == Self.patterns(ntt, minus, batch) else {
                    skipped += 1
                    continue
                }
                ntt.setParameters(plus)
                let lp = try ntt.evaluate(batch: batch, vectors: vectors, gradient: false).total
                ntt.setParameters(minus)
                let lm = try ntt.evaluate(batch: batch, vectors: vectors, gradient: false).total
                let fd = (lp - lm) / Double(2 * h)
                worst = max(worst, abs(fd - Double(ev.gradient[t][i])))
                norm = max(norm, abs(fd))
                if ntt.mask.tensors[t][i] == 0 {
                    // a masked weight feels only the L2 term
                    #expect(abs(Double(ev.gradient[t][i]) - 2e-3 / 0.5 * Double(p[t][i])) < 1e-6)
                }
            }
        }
        ntt.setParameters(p)
        #expect(skipped <= 3, "\(skipped) coordinates skipped")
        #expect(norm > 1e-2)
        #expect(worst < 2e-3 * max(1, norm), "largest difference \(worst) (largest gradient \(norm))")
    }

    /// The student's ReLU patterns on `batch` with dense parameters `p` (masked as the student runs them).
    static func patterns(_ ntt: NeuralTangentTransfer<ANNTangentModel>, _ p: [[Float]], _ batch: [Int]) throws -> [UInt64] {
        var m = ntt.student
        m.parameters = ntt.masked(p)
        return try m.pullback(samples: batch, vectors: [Float](repeating: 0, count: batch.count * 3)).patterns
    }

    @Test("NTT lowers its loss and keeps the density; the mask is recomputed by magnitude")
    func runs() throws {
        var settings = NTTSettings(density: 0.4)
        settings.iterations = 150
        settings.batchSize = 6
        settings.projections = nil
        settings.maskUpdateEvery = 50
        settings.learningRate = 3e-2
        settings.normalizeKernel = false
        let ntt = NeuralTangentTransfer(teacher: Self.tiny(seed: 3), student: Self.tiny(seed: 3), settings: settings)
        var rng = SeededRandom(seed: 1)
        let vectors = ntt.projectionVectors(&rng)
        let before = try ntt.evaluate(batch: Array(0..<6), vectors: vectors, gradient: false).total
        var iterations = 0
        let (weights, mask) = try ntt.run(sampleCount: 6) { _, _ in iterations += 1 }
        let after = try ntt.evaluate(batch: Array(0..<6), vectors: vectors, gradient: false).total
        #expect(iterations == 150)
        #expect(after < 0.5 * before, "loss \(before) before, \(after) after")
        #expect(abs(mask.density - 0.4) < 0.05)
        // 150 iterations, a new mask every 50: the last one was taken from the final θ
        #expect(mask == WeightMask.magnitude(ntt.parameters, density: 0.4))
        for (w, m) in zip(weights, mask.tensors) { for (x, y) in zip(w, m) where y == 0 { #expect(x == 0) } }
    }
}
