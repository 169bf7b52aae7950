import Foundation
import SpikeTraining
import _CMPILoader

/// Data-parallel ranks as the processes of an Open MPI job (`mpirun -np N spikeloop train …`).
///
/// libmpi is loaded when ``start()`` runs, not linked: a process not started by `mpirun` never touches it, so
/// the tool and the library work where MPI is not installed. The gradient sum is a fixed-order all-reduce: a
/// reduce-scatter (`MPI_Alltoallv`: rank r receives every rank's r-th slice and adds them in rank order) followed by
/// an `MPI_Allgatherv` of the summed slices, which moves 2·(N−1)/N of the buffer per rank — what a ring all-reduce
/// moves — while fixing the order of the additions, so every rank holds bit-identical gradients.
public final class MPICollective: Collective, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Bytes this rank sent and received and seconds it spent in ``sumInRankOrder(_:)``, over all calls.
    public private(set) var reduceTraffic = (calls: 0, bytes: 0, seconds: 0.0)

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The job's rank count when this process was started by Open MPI's `mpirun` (its launcher sets
    /// `OMPI_COMM_WORLD_SIZE`), else nil.
    public static var launchedRanks: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init)
    }

    /// Loads libmpi (`SPIKELOOP_LIBMPI` names another library file) and initializes MPI.
    /// - Throws: ``CollectiveError`` when libmpi cannot be loaded or initialized.
    public static func start() throws -> MPICollective {
        var message = [CChar](repeating: 0, count: 512)
        let path = ProcessInfo.processInfo.environment["SPIKELOOP_LIBMPI"]
        let loaded = path.map { spk_mpi_load($0, &message, Int32(message.count)) } ?? spk_mpi_load(nil, &message, Int32(message.count))
        guard loaded == 0 else {
            let why = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CollectiveError("\(why); install Open MPI (Debian: openmpi-bin libopenmpi3) or set SPIKELOOP_LIBMPI to libmpi's path")
        }
        let code = spk_mpi_init()
        guard code == 0 else { throw CollectiveError("MPI_Init failed with error code \(code)") }
        return MPICollective(rank: Int(spk_mpi_rank()), size: Int(spk_mpi_size()))
    }

    public func sumInRankOrder(_ values: inout [Float]) throws {
        guard size > 1 else { return }
        let t0 = spk_mpi_wtime()
        let n = values.count
        let slices = (0..<size).map { DataParallel.share(count: n, rank: $0, size: size) }
        let mine = slices[rank]
        let sendCounts = slices.map { Int32($0.count) }, sendOffsets = slices.map { Int32($0.lowerBound) }
        let receiveCounts = [Int32](repeating: Int32(mine.count), count: size)
        let receiveOffsets = (0..<size).map { Int32($0 * mine.count) }
        var received = [Float](repeating: 0, count: max(1, size * mine.count))
        try check(spk_mpi_alltoallv(0, values, sendCounts, sendOffsets, &received, receiveCounts, receiveOffsets), "MPI_Alltoallv")
        var sum = Array(received[0..<mine.count])
        for r in 1..<size {
            let base = r * mine.count
            for i in sum.indices { sum[i] += received[base + i] }
        }
        try check(spk_mpi_allgatherv(0, sum, Int32(mine.count), &values, sendCounts, sendOffsets), "MPI_Allgatherv")
        let bytes = 2 * (n - mine.count) * MemoryLayout<Float>.size  // sent, and as much received
        reduceTraffic = (reduceTraffic.calls + 1, reduceTraffic.bytes + bytes, reduceTraffic.seconds + spk_mpi_wtime() - t0)
    }

    public func allGather(_ values: [Double]) throws -> [[Double]] {
        var counts = [Int32](repeating: 0, count: size)
        try check(spk_mpi_allgather_int(Int32(values.count), &counts), "MPI_Allgather")
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<max(1, size) { offsets[r] = offsets[r - 1] + counts[r - 1] }
        var all = [Double](repeating: 0, count: max(1, Int(offsets[size - 1] + counts[size - 1])))
        try check(spk_mpi_allgatherv(1, values, Int32(values.count), &all, counts, offsets), "MPI_Allgatherv")
        return (0..<size).map { Array(all[Int(offsets[$0])..<Int(offsets[$0] + counts[$0])]) }
    }

    /// Waits until every rank arrives.
    public func barrier() throws { try check(spk_mpi_barrier(), "MPI_Barrier") }

    /// Ends every rank of the job with `code`: after an error on one rank the others would wait in their next
    /// collective forever.
    public func abort(code: Int32 = 1) -> Never {
        spk_mpi_abort(code)
        exit(code)
    }

    /// MPI_Finalize (call once, when the process is done with MPI).
    public func finish() { _ = spk_mpi_finalize() }

    private func check(_ code: Int32, _ call: String) throws {
        guard code == 0 else { throw CollectiveError("\(call) failed with MPI error code \(code) on rank \(rank)") }
    }
}
