import ArgumentParser
import Foundation
import SpikeMPI
import SpikeTraining

/// Joins the Open MPI job when `mpirun` started this process (`mpirun -np N spikeloop train …`); without `mpirun`
/// nothing about MPI is loaded and the command runs alone.
enum DataParallelLaunch {
    /// True in a rank other than 0 of an `mpirun` job (it prints nothing; rank 0 reports for all).
    static var isFollower: Bool {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"].map { $0 != "0" } ?? false
    }

    /// The job's ranks, or nil when not started by `mpirun`.
    static func join() throws -> MPICollective? {
        guard MPICollective.launchedRanks != nil else { return nil }
        do { return try MPICollective.start() } catch let e as CollectiveError {
            throw ValidationError("started by mpirun, but MPI cannot be used: \(e.description)")
        }
    }

    /// Runs `body` as one rank of `mpi`: MPI is finalized after a normal end or an interruption (every rank stops
    /// at the same batch), while an error on any rank ends the whole job (the other ranks would otherwise wait for
    /// it in their next collective forever).
    static func run(_ mpi: MPICollective?, _ body: () throws -> Void) throws {
        guard let mpi, mpi.size > 1 else {
            defer { mpi?.finish() }
            return try body()
        }
        do {
            try body()
            mpi.finish()
        } catch let e as ExitCode {
            mpi.finish()
            throw e
        } catch {
            let text = String(describing: error)
            FileHandle.standardError.write(Data("Error (rank \(mpi.rank) of \(mpi.size)): \(text); ending all ranks\n".utf8))
            mpi.abort(code: 1)
        }
    }
}
