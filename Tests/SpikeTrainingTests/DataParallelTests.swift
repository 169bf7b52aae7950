import Foundation
import Testing
import SpikeCore
import SpikeData
import SpikeTraining

/// Data-parallel training with ranks as threads (``InProcessCollective``); the same code runs over Open MPI
/// (`scripts/test-mpi.sh` runs `mpirun -np 2` on the real library).
@Suite struct DataParallelTests {
    static let objective = Objective(
        loss: ReadoutLoss(scale: 10, tieBreakNoise: 1e-3), regularizers: Regularizers(burst: 5e-4), surrogate: .superSpike(beta: 50))

    static func trainer(_ net: Network, collective: Collective?, workers: Int, dropout: Float = 0) throws -> Trainer {
        let t = try Trainer(
            network: net, optimizer: Optimizer(config: OptimizerConfig(kind: .adam, learningRate: 2e-3), network: net),
            objective: objective, substrate: SoftwareSubstrate(), stepCount: 20, seed: 5, workers: workers, dropout: dropout)
        t.collective = collective
        return t
    }

    /// Runs `body(rank, collective)` on `size` threads and returns the results in rank order.
    static func ranks<T>(_ size: Int, _ body: @escaping @Sendable (Int, Collective) throws -> T) throws -> [T] {
        let group = InProcessCollective.group(size: size)
        let results = Box<[Result<T, Error>?]>(Array(repeating: nil, count: size))
        let threads = (0..<size).map { r in
            Thread {
                let out = Result { try body(r, group[r]) }
                results.lock.lock()
                results.value[r] = out
                results.lock.unlock()
            }
        }
        threads.forEach { $0.stackSize = 8 << 20; $0.start() }
        while true {
            results.lock.lock()
            let done = results.value.allSatisfy { $0 != nil }
            results.lock.unlock()
            if done { break }
            usleep(1000)
        }
        return try results.value.map { try $0!.get() }
    }

    final class Box<V>: @unchecked Sendable {
        var value: V
        let lock = NSLock()
        init(_ v: V) { value = v }
    }

    static func maxDifference(_ a: Gradients, _ b: Gradients) -> (Float, Float) {
        var d: Float = 0, s: Float = 0
        for (x, y) in zip(a.weights + a.recurrent, b.weights + b.recurrent) {
            for (u, v) in zip(x, y) { (d, s) = (max(d, abs(u - v)), max(s, abs(u))) }
        }
        return (d, s)
    }

    @Test("shares split a batch into contiguous ranges in rank order, sizes differing by at most one")
    func shares() {
        for (count, size) in [(10, 3), (2, 4), (256, 2), (0, 2), (7, 1)] {
            let parts = (0..<size).map { DataParallel.share(count: count, rank: $0, size: size) }
            #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == count)
            for r in 1..<max(1, size) { #expect(parts[r].lowerBound == parts[r - 1].upperBound) }
            #expect((parts.map(\.count).max() ?? 0) - (parts.map(\.count).min() ?? 0) <= 1)
        }
    }

    @Test("gradients all-reduced over 2 ranks equal the one-process gradient of the global batch (dropout and tie-break noise on)")
    func gradientsMatchOneProcess() throws {
        let (net, train, _) = TrainingTests.task()
        let batch = train.subset(Array(0..<64))
        let alone = try Self.trainer(net, collective: nil, workers: 2, dropout: 0.2).gradients(of: batch, epoch: 0, batchIndex: 3)
        let shared = try Self.ranks(2) { _, c in
            let t = try Self.trainer(net, collective: c, workers: 1, dropout: 0.2)
            return try t.gradients(of: t.share(of: train, batch: Array(0..<64)), epoch: 0, batchIndex: 3)
        }
        for (g, stats) in shared {
            let (d, scale) = Self.maxDifference(alone.0, g)
            #expect(scale > 0 && d <= 1e-6 * scale, "max |Δg| \(d) of max |g| \(scale)")
            #expect(stats.samples == 64 && stats.correct == alone.1.correct && stats.hiddenSpikes == alone.1.hiddenSpikes)
            #expect(abs(stats.lossSum - alone.1.lossSum) <= 1e-9 * abs(alone.1.lossSum))
        }
        // The two ranks hold bit-identical gradients.
        #expect(Self.maxDifference(shared[0].0, shared[1].0).0 == 0)
    }

    @Test("after an epoch every rank holds the same weights; a rerun is bit-identical; N = 1, 2, 4 agree to rounding")
    func epochAcrossRankCounts() throws {
        let (net, train, _) = TrainingTests.task()
        let data = train.subset(Array(0..<240))
        func epoch(_ n: Int) throws -> [[Float]] {
            try Self.ranks(n) { _, c in
                let t = try Self.trainer(net, collective: n == 1 ? nil : c, workers: 1)
                _ = try t.trainEpoch(data, epoch: 0, batchSize: 50)
                return t.network.layers.flatMap(\.weights) + t.optimizer.first.flatMap { $0 }
            }
        }
        let two = try epoch(2), again = try epoch(2), one = try epoch(1), four = try epoch(4)
        #expect(two[0] == two[1] && two[0] == again[0])
        #expect(four.allSatisfy { $0 == four[0] })
        let w1 = one[0], scale = w1.map(abs).max()!
        for other in [two[0], four[0]] {
            let d = zip(w1, other).map { abs($0 - $1) }.max()!
            #expect(d <= 1e-3 * scale, "max |Δw| \(d) of \(scale)")
        }
    }

    @Test("run statistics survive the exchange: counts, confusion matrix and predictions in rank order")
    func statisticsMerge() throws {
        let merged = try Self.ranks(3) { r, c in
            var s = RunStatistics(classes: 2)
            s.record(label: r % 2, predicted: 1, loss: Double(r) + 0.5)
            s.predictions = [Int32(r), Int32(10 + r)]
            s.hiddenSpikes = 7 * r
            return try DataParallel.merge(s, over: c)
        }
        for m in merged {
            #expect(m.samples == 3 && m.correct == 1 && m.lossSum == 4.5 && m.hiddenSpikes == 21)
            #expect(m.confusion == [[0, 2], [0, 1]] && m.predictions == [0, 10, 1, 11, 2, 12])
        }
    }
}
