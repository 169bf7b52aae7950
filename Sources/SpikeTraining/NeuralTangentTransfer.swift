import Foundation
import SpikeCore

/// Settings of ``NeuralTangentTransfer`` (defaults: ours, chosen for minutes-long runs on 2 cores).
public struct NTTSettings: Sendable {
    /// Fraction of every weight tensor kept (of all weights: the L2 term's divisor).
    public var density: Double
    /// Per-tensor densities instead of `density` (e.g. a dense readout); nil: `density` everywhere.
    public var tensorDensities: [Double]?
    public var iterations = 300
    /// Unlabeled samples per iteration; the kernel is taken between its two halves.
    public var batchSize = 16
    /// `λ_ker`, the weight of the kernel distance.
    public var kernelWeight: Float = 1
    /// Divide the kernel distance by the teacher's `mean(Θ_t²)` on the batch (a constant for the student), which
    /// makes `λ_ker` independent of the kernel's scale: a spiking network's logit kernel is of order 10³–10⁶.
    public var normalizeKernel = true
    /// `λ_L2`; the penalty is `λ_L2/density·‖θ‖²` over all (also masked) parameters.
    public var l2: Float = 1e-5
    /// Adam step size.
    public var learningRate = 1e-3
    /// The mask is recomputed by magnitude every this many iterations (Liu & Zenke: 100).
    public var maskUpdateEvery = 100
    /// Output projections per sample: nil gives the exact trace kernel (one pullback per output); `R` draws R
    /// Gaussian vectors per iteration, an unbiased estimate of it at R/K of the cost.
    public var projections: Int? = 2
    /// Central-difference step of the Hessian–vector products, relative: `ε = h·‖θ‖/‖d‖`.
    public var finiteDifferenceStep: Float = 1e-3
    public var seed: UInt64 = 1

    public init(density: Double) { self.density = density }
}

/// Neural Tangent Transfer (Liu & Zenke 2020, arXiv:2006.08228): a label-free search for a sparse network whose
/// training dynamics mimic a dense one's, by matching outputs and empirical tangent kernels on unlabeled inputs.
///
/// ```
/// L(θ) = mean_{s,k}(z_s − z_t)² + λ_ker·mean_{a,b}(Θ_s(a,b) − Θ_t(a,b))² / mean_{a,b}Θ_t(a,b)² + λ_L2/density·‖θ‖²
/// Θ(a,b) = Σ_r (v_rᵀ∂z(x_a)/∂θ)·(v_rᵀ∂z(x_b)/∂θ),   a ∈ first half, b ∈ second half of the batch
/// ```
/// The teacher is the dense network at initialization; the student starts as its magnitude-pruned copy and runs
/// with weights `θ⊙m`; every ``NTTSettings/maskUpdateEvery`` iterations `m` is recomputed by the magnitude of θ.
/// Jacobian rows are per-sample pullbacks (``TangentModel``). The kernel term's gradient needs Hessian–vector
/// products: `∂Θ(a,b)/∂θ·E(a,b) = H_a·(E·J_b) + H_b·(Eᵀ·J_a)`, each `H_i·d` a central difference of pullbacks,
/// `(J_i(θ+εd) − J_i(θ−εd))/2ε`, kept only where the sample's discrete pattern (ReLU signs, spike raster) did not
/// change between the two evaluations (the networks are smooth between such changes; a jump would dominate).
public final class NeuralTangentTransfer<Model: TangentModel> {
    public let teacher: Model
    public private(set) var student: Model
    public let settings: NTTSettings
    /// The dense parameters θ the student's `θ⊙m` comes from.
    public private(set) var parameters: [[Float]]
    public private(set) var mask: WeightMask
    /// Which weights a mask may keep, from the current θ (chip routing, ``WeightMask/magnitude(_:density:eligible:)``).
    let eligible: (([[Float]]) -> [[Bool]])?

    public init(teacher: Model, student: Model, settings: NTTSettings, eligible: (([[Float]]) -> [[Bool]])? = nil) {
        self.teacher = teacher
        self.student = student
        self.settings = settings
        self.eligible = eligible
        parameters = teacher.parameters
        mask = WeightMask.magnitude(
            parameters, densities: settings.tensorDensities ?? parameters.map { _ in settings.density }, eligible: eligible?(parameters))
        self.student.parameters = masked(parameters)
    }

    func setParameters(_ p: [[Float]]) { parameters = p }
    func setMask(_ m: WeightMask) { mask = m }

    func masked(_ p: [[Float]]) -> [[Float]] {
        var q = p
        mask.apply(to: &q)
        return q
    }

    /// One evaluation of the loss at the current θ and mask.
    public struct Evaluation: Sendable {
        public var outputLoss = 0.0
        public var kernelLoss = 0.0
        public var l2 = 0.0
        public var total: Double { outputLoss + kernelLoss + l2 }
        /// `∂L/∂θ`.
        public var gradient: [[Float]] = []
        /// Hessian–vector products left out because the sample's pattern changed across the difference.
        public var droppedProducts = 0
        public var products = 0
    }

    /// Loss and gradient on `batch` (even count: halves a, b) with projection vectors `vectors` (`[R][outputs]`).
    public func evaluate(batch: [Int], vectors: [[Float]], gradient wantGradient: Bool = true) throws -> Evaluation {
        precondition(batch.count >= 2 && batch.count % 2 == 0, "NTT needs an even batch of at least 2, got \(batch.count)")
        let n = batch.count / 2
        let sizes = parameters.map(\.count)
        student.parameters = masked(parameters)
        let m = mask.tensors.flatMap { $0 }
        let (Jt, zt) = try Self.jacobianRows(teacher, samples: batch, vectors: vectors)
        var (Js, zs) = try Self.jacobianRows(student, samples: batch, vectors: vectors)
        for i in Js.indices { for r in Js[i].indices { Self.multiply(&Js[i][r], m) } }
        let Ks = Self.kernel(Array(Js[..<n]), Array(Js[n...])), Kt = Self.kernel(Array(Jt[..<n]), Array(Jt[n...]))
        let E = zip(Ks, Kt).map { $0 - $1 }
        var ev = Evaluation()
        let lambdaKer = Double(settings.kernelWeight) / (settings.normalizeKernel ? max(Kt.reduce(0) { $0 + $1 * $1 } / Double(n * n), 1e-30) : 1)
        ev.kernelLoss = lambdaKer * E.reduce(0) { $0 + $1 * $1 } / Double(n * n)
        let dz = zip(zs, zt).map { Double($0 - $1) }
        ev.outputLoss = dz.reduce(0) { $0 + $1 * $1 } / Double(zs.count)
        let lambda = Double(settings.l2) / settings.density
        ev.l2 = lambda * parameters.reduce(0) { $0 + $1.reduce(0) { $0 + Double($1 * $1) } }
        guard wantGradient else { return ev }
        // output term: pullback of 2(z_s − z_t)/(2n·K), masked
        var grad = try student.pullback(samples: batch, vectors: dz.map { Float(2 * $0 / Double(zs.count)) }).gradient.flatMap { $0 }
        Self.multiply(&grad, m)
        // kernel term: (2λ_ker/(n²R))·Σ_r [Σ_a H_{a,r}(Σ_b E_ab J_{b,r}) + Σ_b H_{b,r}(Σ_a E_ab J_{a,r})]
        let c = Float(2 * lambdaKer / Double(n * n * vectors.count))
        let theta = masked(parameters).flatMap { $0 }
        for i in 0..<(2 * n) {
            for (r, v) in vectors.enumerated() {
                var d = [Float](repeating: 0, count: theta.count)
                for o in 0..<n {
                    let e = Float(i < n ? E[i * n + o] : E[o * n + (i - n)])
                    Self.axpy(e, i < n ? Js[n + o][r] : Js[o][r], &d)
                }
                ev.products += 1
                guard let h = try hessianVector(sample: batch[i], vector: v, direction: d, theta: theta, sizes: sizes) else {
                    ev.droppedProducts += 1
                    continue
                }
                Self.axpy(c, h, &grad)
            }
        }
        Self.multiply(&grad, m)
        let flatTheta = parameters.flatMap { $0 }
        Self.axpy(Float(2 * lambda), flatTheta, &grad)
        ev.gradient = Self.unflatten(grad, sizes)
        return ev
    }

    /// Jacobian rows `J[s][r] = v_rᵀ·∂z(x_s)/∂θ` (flattened), one pullback per sample and vector, and the outputs.
    public static func jacobianRows(_ model: Model, samples: [Int], vectors: [[Float]]) throws -> (rows: [[[Float]]], outputs: [Float]) {
        var J: [[[Float]]] = [], z: [Float] = []
        for i in samples {
            var perSample: [[Float]] = []
            for (r, v) in vectors.enumerated() {
                let p = try model.pullback(samples: [i], vectors: v)
                perSample.append(p.gradient.flatMap { $0 })
                if r == 0 { z += p.outputs }
            }
            J.append(perSample)
        }
        return (J, z)
    }

    /// The empirical tangent kernel `Θ(a,b) = mean_r J[a][r]·J[b][r]`, `[A.count][B.count]` row-major: with the
    /// vectors `√K·e_k` the trace kernel `Σ_k ∂z_k(x_a)/∂θ·∂z_k(x_b)/∂θ`, with standard normal vectors an
    /// unbiased estimate of it.
    public static func kernel(_ A: [[[Float]]], _ B: [[[Float]]]) -> [Double] {
        var out = [Double](repeating: 0, count: A.count * B.count)
        for a in A.indices {
            for b in B.indices {
                var d = 0.0
                for r in A[a].indices { d += dot(A[a][r], B[b][r]) }
                out[a * B.count + b] = d / Double(max(1, A[a].count))
            }
        }
        return out
    }

    /// `H·d` of `v·z(x)` at the student's `θ⊙m` by a central difference, or nil when the pattern changed.
    private func hessianVector(sample: Int, vector: [Float], direction d: [Float], theta: [Float], sizes: [Int]) throws -> [Float]? {
        let dn = Self.dot(d, d).squareRoot()
        guard dn > 0 else { return [Float](repeating: 0, count: d.count) }
        let eps = Float(Double(settings.finiteDifferenceStep) * max(Self.dot(theta, theta).squareRoot(), 1e-12) / dn)
        var plus = theta, minus = theta
        Self.axpy(eps, d, &plus)
        Self.axpy(-eps, d, &minus)
        var model = student
        model.parameters = Self.unflatten(plus, sizes)
        let p = try model.pullback(samples: [sample], vectors: vector)
        model.parameters = Self.unflatten(minus, sizes)
        let q = try model.pullback(samples: [sample], vectors: vector)
        model.parameters = Self.unflatten(theta, sizes)
        guard p.patterns == q.patterns else { return nil }
        let inv = 1 / (2 * eps)
        return zip(p.gradient.flatMap { $0 }, q.gradient.flatMap { $0 }).map { ($0 - $1) * inv }
    }
}
