import SpikeModel

/// The decays an eligibility-trace update needs: the readout's `α_o, β_o, c_o`, the neuron's `β`, and whether the
/// readout integrates its current in the same step.
@frozen @usableFromInline package struct TraceConstants {
    @usableFromInline package var ao, bo, co, beta: Float
    @usableFromInline package var roSame: Bool
    @inlinable package init(ao: Float, bo: Float, co: Float, beta: Float, readoutSameStep: Bool) {
        (self.ao, self.bo, self.co, self.beta, self.roSame) = (ao, bo, co, beta, readoutSameStep)
    }
}

/// One presynaptic row of traces over the postsynaptic neurons, 16 at a time:
/// `grad += L·ē_V + g·σ'·ε`, then `e = σ'·ε`, `ē_I ← a_o ē_I + e`, `ē_V ← b_o ē_V + c_o ē_I`,
/// `ε ← (β ε + c·drive)·mask + r·e`.
@inlinable @inline(__always)
package func traceRow(
    n: Int, epsV: UnsafeMutablePointer<Float>, barI: UnsafeMutablePointer<Float>, barV: UnsafeMutablePointer<Float>,
    grad: UnsafeMutablePointer<Float>?, L: UnsafePointer<Float>, reg: UnsafePointer<Float>, sig: UnsafePointer<Float>,
    mask: UnsafePointer<Float>, resetFactor: UnsafePointer<Float>, drive: Float, k: TraceConstants
) {
    typealias V = SIMD16<Float>
    var i = 0
    let ao = V(repeating: k.ao), bo = V(repeating: k.bo), co = V(repeating: k.co), beta = V(repeating: k.beta), dv = V(repeating: drive)
    @inline(__always) func ld(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func st(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
    while i + 16 <= n {
        let eps = ld(epsV + i), bI = ld(barI + i), bV = ld(barV + i), s = ld(sig + i)
        if let g = grad { st(ld(g + i) + ld(L + i) * bV + ld(reg + i) * s * eps, g + i) }
        let e = s * eps
        let nI = ao * bI + e
        st(bo * bV + co * (k.roSame ? nI : bI), barV + i)
        st(nI, barI + i)
        st((beta * eps + dv) * ld(mask + i) + ld(resetFactor + i) * e, epsV + i)
        i += 16
    }
    while i < n {
        let eps = epsV[i]
        if let g = grad { g[i] += L[i] * barV[i] + reg[i] * sig[i] * eps }
        let e = sig[i] * eps
        let nI = k.ao * barI[i] + e
        barV[i] = k.bo * barV[i] + k.co * (k.roSame ? nI : barI[i])
        barI[i] = nI
        epsV[i] = (k.beta * eps + drive) * mask[i] + resetFactor[i] * e
        i += 1
    }
}

extension CPUBackend {
    /// Advances one presynaptic row of eligibility traces (`traceRow`); inlined into the online rules' loops.
    @inlinable @inline(__always)
    package func traceUpdate(
        n: Int, epsV: UnsafeMutablePointer<Float>, barI: UnsafeMutablePointer<Float>, barV: UnsafeMutablePointer<Float>,
        grad: UnsafeMutablePointer<Float>?, L: UnsafePointer<Float>, reg: UnsafePointer<Float>, sig: UnsafePointer<Float>,
        mask: UnsafePointer<Float>, resetFactor: UnsafePointer<Float>, drive: Float, k: TraceConstants
    ) {
        traceRow(n: n, epsV: epsV, barI: barI, barV: barV, grad: grad, L: L, reg: reg, sig: sig, mask: mask, resetFactor: resetFactor, drive: drive, k: k)
    }
}
