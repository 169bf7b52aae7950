import SpikeCore

/// Per-worker eligibility state of one hidden layer: presynaptic current traces `[rows]`, per-synapse membrane
/// eligibilities and their readout-filtered versions `[rows][n]`, and the loss seeds `[T][readout stride]`; and the
/// buffers of the factored path (OnlineLearning+Factored).
struct OnlineScratch {
    var preI = FloatBuffer(count: 0)
    var epsV = FloatBuffer(count: 0)
    var barI = FloatBuffer(count: 0)
    var barV = FloatBuffer(count: 0)
    let seed: FloatBuffer
    /// Factored path: filtered learning signals `[T][K]`; block-start states `[rows]`; the block's `Q` rows
    /// `[block][n]` and the filter's adjoints `[block + 1][n]`; the block's events (step, row); active rows.
    let signals: FloatBuffer
    var preStart = FloatBuffer(count: 0)
    var epsStart = FloatBuffer(count: 0)
    var blockQ = FloatBuffer(count: 0)
    var lambdaE = FloatBuffer(count: 0)
    var lambdaP = FloatBuffer(count: 0)
    var sig = FloatBuffer(count: 0)
    var blockEvents = Int32Buffer(count: 0)
    var activeRows = Int32Buffer(count: 0)
    var isActive = Int32Buffer(count: 0)
    /// Zero reset: per neuron `Σ Q·β^(t−s−1)` since its last spike, the power (0 before the first spike), and
    /// `ε[s+1]` of every row (`[rows][n]`).
    var snapshots = FloatBuffer(count: 0)
    var ghost = FloatBuffer(count: 0)
    var power = FloatBuffer(count: 0)
    /// Streaming: the model's currents and membranes, recomputed.
    var current = FloatBuffer(count: 0)
    var nextCurrent = FloatBuffer(count: 0)
    var vSim = FloatBuffer(count: 0)
    private var feedbackCopy = FloatBuffer(count: 0)
    private var regularizerCopy = FloatBuffer(count: 0)

    init(network: Network, stepCount: Int) {
        seed = FloatBuffer(count: stepCount * neuronStride(network.outputCount))
        signals = FloatBuffer(count: stepCount * network.outputCount)
    }

    mutating func prepare(rows: Int, n: Int) {
        if epsV.count != rows * n {
            preI = FloatBuffer(count: rows)
            epsV = FloatBuffer(count: rows * n)
            barI = FloatBuffer(count: rows * n)
            barV = FloatBuffer(count: rows * n)
        } else {
            preI.zero()
            epsV.zero()
            barI.zero()
            barV.zero()
        }
    }

    /// Sizes the factored path's buffers; `events` bounds one block's events.
    mutating func prepareFactored(rows: Int, n: Int, block: Int, events: Int) {
        if preStart.count != rows || blockQ.count != block * n {
            (preStart, epsStart) = (FloatBuffer(count: rows), FloatBuffer(count: rows))
            (blockQ, lambdaE, lambdaP) = (FloatBuffer(count: block * n), FloatBuffer(count: (block + 1) * n), FloatBuffer(count: (block + 1) * n))
            (sig, ghost, power) = (FloatBuffer(count: n), FloatBuffer(count: n), FloatBuffer(count: n))
            (activeRows, isActive) = (Int32Buffer(count: rows), Int32Buffer(count: rows))
            snapshots = FloatBuffer(count: rows * n)  // read only after a spike wrote them
        }
        if blockEvents.count < 2 * events { blockEvents = Int32Buffer(count: 2 * events) }
        if preI.count < rows || epsV.count < rows { (preI, epsV) = (FloatBuffer(count: rows), FloatBuffer(count: rows)) }
        preI.zero(rows)
        epsV.zero(rows)
        preStart.zero()
        epsStart.zero()
        ghost.zero()
        power.zero()
        isActive.pointer.update(repeating: 0, count: rows)
    }

    mutating func prepareModel(n: Int) {
        if vSim.count != n { (current, nextCurrent, vSim) = (FloatBuffer(count: n), FloatBuffer(count: n), FloatBuffer(count: n)) }
        current.zero()
        nextCurrent.zero()
    }

    /// `values` in a buffer of this scratch (the hot loops read it through a pointer: no bounds checks).
    mutating func feedback(_ values: [Float]) -> UnsafePointer<Float> {
        if feedbackCopy.count != values.count { feedbackCopy = FloatBuffer(count: values.count) }
        feedbackCopy.pointer.update(from: values, count: values.count)
        return UnsafePointer(feedbackCopy.pointer)
    }

    mutating func regularizer(_ values: [Float]) -> UnsafePointer<Float> {
        if regularizerCopy.count != values.count { regularizerCopy = FloatBuffer(count: values.count) }
        regularizerCopy.pointer.update(from: values, count: values.count)
        return UnsafePointer(regularizerCopy.pointer)
    }
}
