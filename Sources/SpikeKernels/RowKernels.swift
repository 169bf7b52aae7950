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

/// `y[0..<stride] += Σ rows[index[k]]` for `k` in `events`: the synaptic input of one step, one weight row per
/// event. Four vectors of `y` stay in registers while the events' rows stream past (the plain loop read and wrote
/// every vector of `y` once per event and was bound by those stores). Each lane adds the rows in event order, as
/// the plain loop did, so the sums are bit-identical to it.
@inline(__always)
func addRows(
    _ rows: UnsafePointer<Float>, stride: Int, indices: UnsafePointer<Int32>, events: Range<Int>,
    into y: UnsafeMutablePointer<Float>
) {
    guard !events.isEmpty else { return }
    let C = stride / 16
    let yv = vectors(y)
    var c = 0
    while c + 4 <= C {
        var (a0, a1, a2, a3) = (yv[c], yv[c + 1], yv[c + 2], yv[c + 3])
        for k in events {
            let r = vectors(rows + Int(indices[k]) * stride + c * 16)
            a0 += r[0]
            a1 += r[1]
            a2 += r[2]
            a3 += r[3]
        }
        (yv[c], yv[c + 1], yv[c + 2], yv[c + 3]) = (a0, a1, a2, a3)
        c += 4
    }
    while c < C {
        var a = yv[c]
        for k in events { a += vectors(rows + Int(indices[k]) * stride + c * 16)[0] }
        yv[c] = a
        c += 1
    }
}

/// The weight gradient of a layer's events, summed per row: `grad[row] += Σ λI[t+1]` over the sample's events
/// `(t, row)` with `t < endStep`.
///
/// Each event adds one adjoint row to one gradient row. Added event by event (a scatter) every add is a
/// read-modify-write of a whole gradient row; here the events are first grouped by row (a counting sort, integers
/// only), then each gradient row is summed in registers over its events' adjoint rows (``addRows``).
package final class EventGrouping {
    private var starts: [Int32] = []
    private var steps: [Int32] = []

    package init() {}

    /// - Parameters:
    ///   - offsets: `[T+1]` event offsets per step; `indices`: the row of each event.
    ///   - adjoints: `λI` `[(T+2)][stride]` (row `t + 1` is added for an event at step `t`).
    @inline(__always)
    func accumulate(
        offsets: UnsafePointer<Int32>, indices: UnsafePointer<Int32>, endStep: Int, rowCount: Int,
        adjoints: UnsafePointer<Float>, stride: Int, into grad: UnsafeMutablePointer<Float>
    ) {
        let first = Int(offsets[0]), end = Int(offsets[endStep])
        guard end > first else { return }
        if starts.count < rowCount + 1 { starts = [Int32](repeating: 0, count: rowCount + 1) }
        if steps.count < end - first { steps = [Int32](repeating: 0, count: end - first) }
        starts.withUnsafeMutableBufferPointer { s in
            steps.withUnsafeMutableBufferPointer { st in
                let s = s.baseAddress!, st = st.baseAddress!
                s.update(repeating: 0, count: rowCount + 1)
                for k in first..<end { s[Int(indices[k]) + 1] += 1 }
                for i in 0..<rowCount { s[i + 1] += s[i] }
                // Fill in step order; afterwards s[i] is the end of row i's run (the start of row i + 1's).
                for t in 0..<endStep {
                    for k in Int(offsets[t])..<Int(offsets[t + 1]) {
                        let i = Int(indices[k])
                        st[Int(s[i])] = Int32(t)
                        s[i] += 1
                    }
                }
                var lo = 0
                for i in 0..<rowCount {
                    let hi = Int(s[i])
                    addRows(adjoints + stride, stride: stride, indices: st, events: lo..<hi, into: grad + i * stride)
                    lo = hi
                }
            }
        }
    }
}
