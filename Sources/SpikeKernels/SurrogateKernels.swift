import Foundation

// The `Surrogate` derivatives of SpikeModel as SIMD16 kernels, in the module of the loops that call them so that
// each generic kernel is specialized and inlined (a kernel behind a cross-module protocol witness cost 10–25 %).

/// Vectorized surrogate kernels; one concrete type per surrogate so the backward loop specializes.
protocol SurrogateKernel {
    func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float>
}

struct SuperSpikeKernel: SurrogateKernel {
    let beta: Float
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var a = x
        a.replace(with: -x, where: x .< 0)
        let d = a * beta + 1
        return 1 / (d * d)
    }
}

struct TriangleKernel: SurrogateKernel {
    let beta: Float
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var a = x
        a.replace(with: -x, where: x .< 0)
        var r = 1 - a * beta
        r.replace(with: 0, where: r .< 0)
        return r
    }
}

struct SigmoidKernel: SurrogateKernel {
    let beta: Float
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for k in 0..<16 {
            let s = 1 / (1 + expf(-beta * x[k]))
            r[k] = beta * s * (1 - s)
        }
        return r
    }
}

struct ExponentialKernel: SurrogateKernel {
    let beta: Float
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for k in 0..<16 { r[k] = expf(-beta * abs(x[k])) }
        return r
    }
}
