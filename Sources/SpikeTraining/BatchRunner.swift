import SpikeCore

/// Runs a substrate over a batch in parallel chunks and hands each chunk's observation to a consumer — the
/// one skeleton under BPTT, the online rules and inference (DESIGN §1: substrate → observation → consumer).
///
/// The batch is split into `workers` contiguous shares; each worker owns an observation and runs its share
/// in chunks of the substrate's preferred size. Per-worker statistics are merged in worker order, so a run
/// with the same thread count is bit-reproducible.
final class BatchRunner: @unchecked Sendable {
    let workers: Int
    private let boxes: [ObservationBox]

    init(network: Network, stepCount: Int, workers: Int, chunk: Int, recording: Recording) {
        self.workers = max(1, workers)
        boxes = (0..<self.workers).map { _ in
            ObservationBox(Observation(network: network, stepCount: stepCount, capacity: max(1, chunk), recording: recording))
        }
    }

    /// Workers that `batch` on `substrate` will use.
    func workerCount(_ batch: SpikeBatch, _ substrate: Substrate) -> Int {
        min(workers, substrate.maxConcurrentRuns, max(1, batch.sampleCount))
    }

    /// Runs `batch` on `substrate` (already loaded) and calls `consume(observation, samples, &state, &stats)`
    /// for every chunk; `makeState(worker)` creates each worker's state on its thread.
    /// - Returns: the merged statistics (substrate time and energy included) and every worker's final state.
    func run<State>(
        _ batch: SpikeBatch, on substrate: Substrate, options: RunOptions = RunOptions(), classes: Int = 0,
        state makeState: (Int) -> State,
        consume: (Observation, Range<Int>, inout State, inout RunStatistics) -> Void
    ) throws -> (RunStatistics, [State]) {
        let w = workerCount(batch, substrate)
        let chunk = min(boxes[0].observation.capacity, max(1, substrate.preferredChunkSize))
        let results = PerWorker<(RunStatistics, State)?>(count: w, initial: nil)
        let errors = PerWorker<Error?>(count: w, initial: nil)
        parallelChunks(count: batch.sampleCount, workers: w) { worker, range in
            var state = makeState(worker)
            var stats = RunStatistics(classes: classes)
            let box = boxes[worker]
            var lo = range.lowerBound
            do {
                while lo < range.upperBound {
                    let hi = min(range.upperBound, lo + chunk)
                    try substrate.run(batch, samples: lo..<hi, options: options, into: &box.observation, worker: worker)
                    stats.substrateSeconds += box.observation.substrateSeconds ?? 0
                    stats.energyJoules += box.observation.energyJoules ?? 0
                    consume(box.observation, lo..<hi, &state, &stats)
                    lo = hi
                }
            } catch {
                errors[worker] = error
                return
            }
            results[worker] = (stats, state)
        }
        if let e = errors.values.compactMap({ $0 }).first { throw e }
        var total = RunStatistics(classes: classes)
        var states: [State] = []
        for r in results.values {
            guard let (s, st) = r else { continue }
            total.merge(s)
            states.append(st)
        }
        return (total, states)
    }
}

/// One worker's observation, boxed so that workers never mutate a shared array concurrently.
final class ObservationBox: @unchecked Sendable {
    var observation: Observation
    init(_ o: Observation) { observation = o }
}
