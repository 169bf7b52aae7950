import Foundation
import SpikeCore

/// The collective operations data-parallel training needs, over `size` ranks (processes started by `mpirun`, or
/// threads in one process for tests).
///
/// Every reduction adds in rank order 0, 1, …, N−1, so all ranks hold bit-identical sums and a run is
/// reproducible for a given rank count (floating-point addition is not associative: a different N groups the
/// per-sample terms differently, which is why N = 1, 2, 4 agree only to rounding).
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `values` on every rank by the element-wise sum over ranks, added in rank order.
    func sumInRankOrder(_ values: inout [Float]) throws
    /// Every rank's `values` (lengths may differ), indexed by rank.
    func allGather(_ values: [Double]) throws -> [[Double]]
    /// ``sumInRankOrder(_:)`` calls so far, the bytes this rank sent in them (it receives as many) and their time.
    var reduceTraffic: (calls: Int, bytes: Int, seconds: Double) { get }
}

/// Why a collective operation failed.
public struct CollectiveError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How a global minibatch is split over ranks and how the ranks' gradients and statistics are combined.
public enum DataParallel {
    /// The contiguous share of `count` samples that `rank` of `size` trains on (sizes differ by at most one,
    /// lower ranks first), so the ranks' shares in rank order are the global batch.
    public static func share(count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let lo = rank * base + min(rank, extra)
        return lo..<(lo + base + (rank < extra ? 1 : 0))
    }

    /// True on every rank when any rank's `flag` is true (a Ctrl-C on one rank stops all of them at the same batch).
    public static func any(_ flag: Bool, over collective: Collective) throws -> Bool {
        try collective.allGather([flag ? 1 : 0]).contains { $0.first == 1 }
    }

    /// Statistics of every rank's share merged in rank order (predictions concatenated in rank order).
    public static func merge(_ stats: RunStatistics, over collective: Collective) throws -> RunStatistics {
        let all = try collective.allGather(encode(stats))
        var total = RunStatistics(classes: stats.confusion.count)
        for part in all {
            let s = try decode(part)
            total.merge(s)
            total.predictions += s.predictions
        }
        return total
    }

    /// The global-batch mean gradient from each rank's share mean: every rank weights its gradient by
    /// `localSamples / globalSamples` and the weighted gradients are summed in rank order.
    public static func reduce(_ gradients: inout Gradients, localSamples: Int, globalSamples: Int, over collective: Collective) throws {
        let w = globalSamples > 0 ? Float(localSamples) / Float(globalSamples) : 0
        var flat: [Float] = []
        flat.reserveCapacity(gradients.weights.reduce(0) { $0 + $1.count } + gradients.recurrent.reduce(0) { $0 + $1.count })
        for g in gradients.weights + gradients.recurrent { flat += w == 1 ? g : g.map { $0 * w } }
        try collective.sumInRankOrder(&flat)
        var at = 0
        func take(_ a: inout [Float]) {
            a = Array(flat[at..<(at + a.count)])
            at += a.count
        }
        for l in gradients.weights.indices { take(&gradients.weights[l]) }
        for l in gradients.recurrent.indices { take(&gradients.recurrent[l]) }
    }

    /// `[samples, correct, lossSum, hiddenSpikes, outputSpikes, substrateSeconds, energyJoules, classes,
    /// confusion…, predictions…]` (counts are exact in Double below 2⁵³).
    static func encode(_ s: RunStatistics) -> [Double] {
        var v: [Double] = [
            Double(s.samples), Double(s.correct), s.lossSum, Double(s.hiddenSpikes), Double(s.outputSpikes),
            s.substrateSeconds, s.energyJoules, Double(s.confusion.count),
        ]
        for row in s.confusion { v += row.map(Double.init) }
        return v + s.predictions.map(Double.init)
    }

    static func decode(_ v: [Double]) throws -> RunStatistics {
        guard v.count >= 8, let k = Int(exactly: v[7]), v.count >= 8 + k * k else {
            throw CollectiveError("a rank sent malformed run statistics (\(v.count) values)")
        }
        var s = RunStatistics(classes: k)
        (s.samples, s.correct, s.lossSum) = (Int(v[0]), Int(v[1]), v[2])
        (s.hiddenSpikes, s.outputSpikes, s.substrateSeconds, s.energyJoules) = (Int(v[3]), Int(v[4]), v[5], v[6])
        for a in 0..<k { for b in 0..<k { s.confusion[a][b] = Int(v[8 + a * k + b]) } }
        s.predictions = v[(8 + k * k)...].map { Int32($0) }
        return s
    }
}

/// Ranks as threads of one process: the data-parallel split without MPI (tests, and trying the split on one
/// machine). ``group(size:)`` makes the ranks; each must be driven by its own thread, since every operation waits
/// for all ranks, as MPI's collectives do.
public final class InProcessCollective: Collective, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public private(set) var reduceTraffic = (calls: 0, bytes: 0, seconds: 0.0)
    private let shared: Shared

    private init(rank: Int, shared: Shared) {
        self.rank = rank
        size = shared.slots.count
        self.shared = shared
    }

    /// `size` ranks sharing one exchange.
    public static func group(size: Int) -> [InProcessCollective] {
        let s = Shared(size: size)
        return (0..<size).map { InProcessCollective(rank: $0, shared: s) }
    }

    public func sumInRankOrder(_ values: inout [Float]) throws {
        let t0 = monotonicSeconds()
        defer { reduceTraffic = (reduceTraffic.calls + 1, reduceTraffic.bytes + values.count * (size - 1) * 4, reduceTraffic.seconds + monotonicSeconds() - t0) }
        let all = try allGather(values.map(Double.init)).map { $0.map(Float.init) }
        guard all.allSatisfy({ $0.count == values.count }) else { throw CollectiveError("ranks reduced buffers of different lengths") }
        var sum = all[0]
        for r in 1..<size { for i in sum.indices { sum[i] += all[r][i] } }
        values = sum
    }

    public func allGather(_ values: [Double]) throws -> [[Double]] {
        shared.deposit(values, rank: rank)
        let all = shared.slots
        shared.wait()  // nobody deposits the next round before every rank has read this one
        return all.map { $0 ?? [] }
    }

    /// The exchange: one slot per rank and a reusable barrier.
    private final class Shared: @unchecked Sendable {
        private(set) var slots: [[Double]?]
        private let condition = NSCondition()
        private var arrived = 0, generation = 0

        init(size: Int) { slots = Array(repeating: nil, count: size) }

        func deposit(_ v: [Double], rank: Int) {
            condition.lock()
            slots[rank] = v
            condition.unlock()
            wait()
        }

        func wait() {
            condition.lock()
            let g = generation
            arrived += 1
            if arrived == slots.count {
                arrived = 0
                generation += 1
                condition.broadcast()
            } else {
                while generation == g { condition.wait() }
            }
            condition.unlock()
        }
    }
}
