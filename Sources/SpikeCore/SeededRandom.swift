/// A small, fast, seedable generator (xoshiro256**), seeded through SplitMix64.
///
/// Every stochastic choice in SpikeLoop (initialization, shuffling, noise, chip mismatch) draws from one
/// of these, so a run is bit-reproducible from its seed. Blackman & Vigna 2018, doi:10.1145/3460772.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&x)
        s1 = splitMix(&x)
        s2 = splitMix(&x)
        s3 = splitMix(&x)
    }

    /// A generator for a named sub-stream, so that adding draws in one place does not shift another.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ (stream &+ 0x632B_E59B_D9B4_E019))
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inlinable @inline(__always)
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal deviate (Box–Muller, one value per call for simplicity and reproducibility).
    @inlinable
    public mutating func nextGaussian() -> Double {
        var u = nextUnitDouble()
        while u <= 0 { u = nextUnitDouble() }
        let v = nextUnitDouble()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    /// Uniform integer in `0..<bound`.
    @inlinable
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive, got \(bound)")
        return Int(next() % UInt64(bound))
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif

extension Array where Element == Int {
    /// Fisher–Yates shuffle driven by a `SeededRandom`, identical on every platform.
    public mutating func seededShuffle(_ rng: inout SeededRandom) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            swapAt(i, rng.nextIndex(below: i + 1))
        }
    }
}
