import SpikeCore
import SpikeKernels

/// Something that runs a network on input spikes and returns what could be recorded (DESIGN §1).
///
/// The ideal software simulator is one substrate; the emulated analog chip is another; a real chip or a
/// remote chip server must fit behind the same calls. `load` is "write the weights to the substrate" (a chip
/// quantizes them); `run` executes a chunk of samples and fills an `Observation`; `capabilities` says what
/// the substrate can do, so that engines never ask for a concrete type.
public protocol Substrate: AnyObject, Sendable {
    /// A short name for reports (`software`, `chip:7`).
    var name: String { get }
    /// What this substrate can do (exact recordings, dropout, concurrency, capacity).
    var capabilities: SubstrateCapabilities { get }
    /// Writes the network's configuration and weights to the substrate.
    func load(_ network: Network) throws
    /// Runs `samples` of `input` with `options` and records into `observation` (buffers reused;
    /// `worker` < `capabilities.maxConcurrentRuns`).
    func run(_ input: SpikeBatch, samples: Range<Int>, options: RunOptions, into observation: inout Observation, worker: Int) throws
}

extension Substrate {
    /// How many `run` calls may proceed at once.
    public var maxConcurrentRuns: Int { capabilities.maxConcurrentRuns }
    /// Samples per `run` call that keep the work hot in cache.
    public var preferredChunkSize: Int { capabilities.preferredChunkSize }

    /// Runs `samples` of `input` without training-time options (inference, recordings for reports).
    public func run(_ input: SpikeBatch, samples: Range<Int>, into observation: inout Observation, worker: Int) throws {
        try run(input, samples: samples, options: RunOptions(), into: &observation, worker: worker)
    }
}

/// A valid pointer for "no events" (never dereferenced: the offsets give an empty range).
let emptyIndices: UnsafePointer<Int32> = {
    let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    p.initialize(to: 0)
    return UnsafePointer(p)
}()
