import Foundation
import SpikeRun
import SpikeTraining
import Testing

/// `TrainingRun` as two data-parallel ranks (threads here; `mpirun` processes in scripts/test-mpi.sh).
@Suite(.serialized) struct DataParallelRunTests {
    @Test("in the loop on two ranks: each rank its own chip, identical weights after training, rank 0 alone writes")
    func chipPerRank() throws {
        var c = TrainingRunTests.tinyConfig()
        (c.substrate, c.chipCalibrated, c.epochs) = ("chip:4", false, 1)
        (c.trainSamples, c.validationSamples, c.testSamples, c.batchSize) = (60, 20, 20, 20)
        let config = c
        let url = RunDirectoryTests.tempURL()
        let group = InProcessCollective.group(size: 2)
        let data = try RunData.load(config)
        let results = Locked<[Int: (String, [Float], TrainingResult?)]>([:])
        let threads = (0..<2).map { r in
            Thread {
                do {
                    let run = try TrainingRun.start(config: config, at: url, data: data, collective: group[r])
                    run.writesReport = false
                    guard case .completed(let result) = try run.run() else { throw CollectiveError("stopped") }
                    results.update { $0[r] = (run.substrate.name, run.trainer.network.layers.flatMap(\.weights), result) }
                } catch {
                    Issue.record("rank \(r): \(error)")
                    results.update { $0[r] = ("", [], nil) }
                }
            }
        }
        threads.forEach { $0.stackSize = 8 << 20; $0.start() }
        while results.value.count < 2 { usleep(2000) }
        let r0 = try #require(results.value[0]), r1 = try #require(results.value[1])
        #expect(r0.0 == "chip:4" && r1.0 == "chip:5")
        #expect(!r0.1.isEmpty && r0.1 == r1.1)
        let result = try #require(r0.2)
        #expect(result.ranks == 2 && result.allreduceBytes > 0 && result.test.samples == 20)
        for f in ["config.json", "metrics.jsonl", "last.safetensors", "test.json"] {
            #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent(f).path), "\(f)")
        }
    }
}

/// A value shared between test threads.
final class Locked<V>: @unchecked Sendable {
    private var stored: V
    private let lock = NSLock()
    init(_ v: V) { stored = v }
    var value: V { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ f: (inout V) -> Void) { lock.lock(); f(&stored); lock.unlock() }
}
