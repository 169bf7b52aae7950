import Dispatch

/// Runs `body(worker, range)` for `workers` contiguous, equal shares of `0..<count` on all threads.
///
/// Shares are static, so a run with the same thread count reduces in the same order and is bit-reproducible.
/// Each worker owns its buffers (indexed by `worker`); nothing is shared but read-only inputs.
public func parallelChunks(count: Int, workers: Int, _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
    let w = max(1, min(workers, count))
    if w == 1 {
        if count > 0 { body(0, 0..<count) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: w) { worker in
        let lo = count * worker / w
        let hi = count * (worker + 1) / w
        body(worker, lo..<hi)
    }
}

/// The number of CPU cores this process may use.
public var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Peak resident set size of this process in bytes (getrusage), for benchmark reports.
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

/// Monotonic wall-clock seconds, for throughput figures.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// One slot per worker with a stable address, so that workers of `parallelChunks` can each write their own
/// result without touching a shared Swift array (whose copy-on-write check would race).
public final class PerWorker<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T>
    public let count: Int

    public init(count: Int, initial: T) {
        self.count = count
        storage = .allocate(capacity: max(1, count))
        storage.initialize(repeating: initial, count: max(1, count))
    }

    deinit {
        storage.deinitialize(count: max(1, count))
        storage.deallocate()
    }

    public subscript(i: Int) -> T {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    public var values: [T] { (0..<count).map { storage[$0] } }
}
