import Foundation
import SpikeCore
import Testing

@Suite struct InputValidationTests {
    let check = InputCheck(source: "/data/x.idx")

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch { return "\(error)" }
    }

    @Test("products and sums of declared sizes overflow into errors, never traps")
    func checkedArithmetic() throws {
        #expect(try check.product([3, 4, 5], field: "d") == 60)
        #expect(try check.product([], field: "d") == 1)
        #expect(try check.product([0, Int.max], field: "d") == 0)
        let m = message { _ = try check.product([3, 1 << 32 - 1, 1 << 32 - 1], field: "dimensions") }
        #expect(m == "/data/x.idx: dimensions: 3 × 4294967295 × 4294967295 overflows a 64-bit size (allowed: a product ≤ \(Int.max))", "\(m)")
        #expect(message { _ = try check.product([-1, 2], field: "d") }.contains("negative"))
        #expect(try check.sum([1, 2, 3], field: "s") == 6)
        #expect(message { _ = try check.sum([Int.max, 1], field: "s") }.contains("overflows"))
        #expect(throws: InputError.self) { try check.multiply(1 << 62, 8, field: "shape") }
    }

    @Test("floating-point values must be finite, in range and, for indices, integral")
    func values() throws {
        #expect(try check.finite(0.5, in: 0...1, field: "t") == 0.5)
        for bad in [Double.nan, .infinity, -.infinity] {
            let m = message { try check.finite(bad, field: "t") }
            #expect(m.contains("t: ") && m.contains("not a finite number") && m.contains("allowed: finite"), "\(m)")
        }
        #expect(message { try check.finite(2.0, in: 0...1, field: "t", unit: " s") } == "/data/x.idx: t: 2.0 s is out of range (allowed: 0.0...1.0 s)")
        #expect(try check.integer(7.0, in: 0...9, field: "u") == 7)
        #expect(message { try check.integer(2.5, in: 0...9, field: "u") }.contains("not an integer"))
        #expect(message { try check.integer(1e30, in: 0...9, field: "u") }.contains("out of range"))
        #expect(message { try check.integer(Float.nan, in: 0...9, field: "u") }.contains("not a finite"))
        #expect(try check.integer(UInt64(5), in: 0...9, field: "l") == 5)
        #expect(message { try check.integer(UInt64.max, in: 0...Int.max, field: "l") }.contains("18446744073709551615 is out of range"))
        #expect(message { try check.inRange(-1, 0..<10, field: "label") } == "/data/x.idx: label: -1 is out of range (allowed: 0..<10)")
        let values: [Float] = [1, 2, .nan, 4]
        #expect(message { try check.allFinite(values, field: "w") }.contains("w[2]: nan"))
    }

    @Test("declared counts are capped by the file size (with a compression ratio) and the memory budget")
    func caps() throws {
        #expect(try check.fits(100, minBytesPerElement: 1, available: 100, field: "n") == 100)
        let m = message { try check.fits(101, minBytesPerElement: 1, available: 100, field: "n") }
        #expect(m.contains("declares 101 elements but the file holds only 100 B") && m.contains("≤ 100"), "\(m)")
        #expect(try check.fits(1000, minBytesPerElement: 1, available: 1, ratio: 1032, field: "n") == 1000)
        #expect(message { try check.fits(2000, minBytesPerElement: 1, available: 1, ratio: 1032, field: "n") }.contains("1032:1"))
        #expect(try check.allocation(count: 10, elementBytes: 4, field: "a", budget: 40) == 40)
        let b = message { try check.allocation(count: 1 << 40, elementBytes: 4, field: "a", budget: 1 << 30) }
        #expect(b.contains("4.0 TiB") && b.contains("memory budget") && b.contains("≤ 1.0 GiB"), "\(b)")
        #expect(message { try check.allocation(count: Int.max, elementBytes: 8, field: "a") }.contains("overflows"))
        #expect(try check.byteRange(0, 8, within: 8, field: "r") == 0..<8)
        #expect(message { _ = try check.byteRange(4, 2, within: 8, field: "r") }.contains("not a byte range"))
        #expect(message { _ = try check.byteRange(4, 9, within: 8, field: "r") }.contains("ends past the 8 bytes"))
        #expect(InputLimits.memoryBudget > 0)
        #expect(InputLimits.formatBytes(512) == "512 B" && InputLimits.formatBytes(3 << 20) == "3.0 MiB")
    }

    @Test("an error without a source prints the field first")
    func description() {
        let e = InputError(.outOfRange, source: "", field: "imageSize", "0 is out of range", allowed: "1...4096")
        #expect("\(e)" == "imageSize: 0 is out of range (allowed: 1...4096)")
        #expect(e.code == .outOfRange && e.code != .overflow && "\(e.code)" == "out of range")
    }
}
