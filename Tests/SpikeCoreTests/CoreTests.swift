import Testing
import SpikeCore

@Suite struct CoreTests {
    @Test("seeded generator is reproducible and uniform draws stay in [0, 1)")
    func seededRandom() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        var c = SeededRandom(seed: 43)
        let xs = (0..<1000).map { _ in a.next() }
        #expect(xs == (0..<1000).map { _ in b.next() })
        #expect(xs != (0..<1000).map { _ in c.next() })
        var r = SeededRandom(seed: 1)
        var mean = 0.0
        for _ in 0..<10_000 {
            let u = r.nextUnitFloat()
            #expect(u >= 0 && u < 1)
            mean += Double(u)
        }
        #expect(abs(mean / 10_000 - 0.5) < 0.02)
        var g = SeededRandom(seed: 2)
        let n = (0..<20_000).map { _ in g.nextGaussian() }
        let m = n.reduce(0, +) / Double(n.count)
        let v = n.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n.count)
        #expect(abs(m) < 0.03 && abs(v - 1) < 0.05, "mean \(m), variance \(v)")
    }

    @Test("parallelChunks covers every index exactly once", arguments: [0, 1, 7, 8, 9, 1000])
    func chunksCover(_ count: Int) {
        for workers in 1...5 {
            var seen = [Int](repeating: 0, count: count)
            let lock = NSLockish()
            parallelChunks(count: count, workers: workers) { _, range in
                lock.run { for i in range { seen[i] += 1 } }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "workers \(workers)")
        }
    }

    @Test("buffers are 64-byte aligned, zeroed, and strides cover the population")
    func buffers() {
        for n in [0, 1, 7, 8, 9, 1000] {
            let b = FloatBuffer(count: n)
            #expect(Int(bitPattern: b.pointer) % 64 == 0)
            #expect((0..<n).allSatisfy { b.pointer[$0] == 0 })
        }
        #expect(neuronStride(10) == 16)
        #expect(neuronStride(17) == 64)
        #expect(neuronStride(246) == 256)
        #expect(neuronStride(186) == 192)
    }
}

import Foundation

/// A tiny mutex for the test's shared counter.
final class NSLockish: @unchecked Sendable {
    private let lock = NSLock()
    func run(_ body: () -> Void) {
        lock.lock()
        body()
        lock.unlock()
    }
}
