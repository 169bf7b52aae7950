/// `y[0..<stride] += Σ_k x[k] · rows[k][0..<stride]` over `count` rows of `stride` floats (a multiple of 16).
///
/// The recurrent adjoint `R·λ` (186 × 192 for the SHD network, once per step and sample) written as broadcasts
/// over the transposed matrix: four vectors of `y` stay in registers while every row streams past once, so there
/// are no horizontal sums and one load per fused multiply-add. At this size a BLAS gemv call spends most of its
/// time in fixed overhead (measured: BENCHMARKS.md, "SHD-shaped data").
@inline(__always)
func addTransposedProduct(
    rows: UnsafePointer<Float>, count: Int, stride: Int, x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>
) {
    let C = stride / 16
    let yv = vectors(y)
    var c = 0
    while c + 4 <= C {
        var (a0, a1, a2, a3) = (yv[c], yv[c + 1], yv[c + 2], yv[c + 3])
        var r = vectors(rows + c * 16)
        for k in 0..<count {
            let l = Vec(repeating: x[k])
            a0 = a0.addingProduct(l, r[0])
            a1 = a1.addingProduct(l, r[1])
            a2 = a2.addingProduct(l, r[2])
            a3 = a3.addingProduct(l, r[3])
            r += C
        }
        (yv[c], yv[c + 1], yv[c + 2], yv[c + 3]) = (a0, a1, a2, a3)
        c += 4
    }
    while c < C {
        var a = yv[c]
        var r = vectors(rows + c * 16)
        for k in 0..<count {
            a = a.addingProduct(Vec(repeating: x[k]), r[0])
            r += C
        }
        yv[c] = a
        c += 1
    }
}
