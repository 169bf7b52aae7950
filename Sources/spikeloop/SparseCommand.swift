import ArgumentParser
import Foundation
import SpikeRun
import SpikeTraining

extension SparseMethod: ExpressibleByArgument {}

/// `spikeloop experiment sparse`: a sparse network found by Neural Tangent Transfer, a random mask or none (dense),
/// trained with the mask held fixed (`SparseExperiment`); prints the test accuracy.
struct SparseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sparse",
        abstract: "Sparse networks: Neural Tangent Transfer vs a random mask vs dense, trained with the mask fixed.",
        discussion: """
            --density keeps that fraction of every weight tensor. NTT (Liu & Zenke 2020) matches a sparse student's \
            outputs and tangent kernel to the dense initialization on unlabeled training inputs (always in software), \
            then the masked network trains for --epochs on --substrate (chip:N: in the loop; masked synapses stay 0). \
            Layers with more than 256 presynaptic sources (e.g. --shd-channel-stride 1 --shd-channel-offset 0 for all \
            700 spoken-digit channels) get masks with one source per neuron and synapse row, so they fit the chip.
            """)

    @OptionGroup var flags: ConfigFlags
    @Option(help: "How the mask is found: ntt, random or dense.") var method: SparseMethod = .ntt
    @Option(parsing: .unconditional, help: "Fraction of weights kept in every tensor, in (0, 1].") var density: Double = 0.1
    @Option(parsing: .unconditional, help: "NTT iterations.") var nttIterations: Int = 300
    @Option(parsing: .unconditional, help: "NTT batch (two halves for the kernel).") var nttBatch: Int = 16
    @Option(parsing: .unconditional, help: "NTT Adam step size.") var nttLr: Double = 1e-3
    @Option(parsing: .unconditional, help: "NTT kernel-distance weight λ_ker.") var nttKernelWeight: Float = 1
    @Option(parsing: .unconditional, help: "NTT L2 strength λ_L2 (divided by the density).") var nttL2: Float = 1e-5
    @Option(parsing: .unconditional, help: "NTT output projections per iteration; 0: exact (one per output).") var nttProjections: Int = 2
    @Option(parsing: .unconditional, help: "NTT recomputes the mask by magnitude every N iterations.") var nttMaskEvery: Int = 100
    @Option(parsing: .unconditional, help: "NTT draws its batches from the first N training samples.") var nttPool: Int = 2000
    @Option(parsing: .unconditional, help: "NTT finite-difference step of the Hessian–vector products, relative to ‖θ‖.") var nttFdStep: Float = 1e-3
    @Flag(help: "Keep the readout layer dense (--density applies to the hidden layers).") var denseReadout = false
    @Flag(help: "Print one JSON object as the last line.") var json = false

    func run() throws {
        let config = try flags.resolve()
        var ntt = NTTSettings(density: density)
        ntt.iterations = nttIterations
        ntt.batchSize = nttBatch
        ntt.learningRate = nttLr
        ntt.kernelWeight = nttKernelWeight
        ntt.l2 = nttL2
        ntt.projections = nttProjections == 0 ? nil : nttProjections
        ntt.maskUpdateEvery = max(1, nttMaskEvery)
        ntt.finiteDifferenceStep = nttFdStep
        guard nttFdStep > 0, nttFdStep.isFinite else { throw ValidationError("--ntt-fd-step must be a positive number, got \(nttFdStep)") }
        guard nttProjections >= 0 else { throw ValidationError("--ntt-projections must be ≥ 0 (0: exact), got \(nttProjections)") }
        guard nttMaskEvery >= 1 else { throw ValidationError("--ntt-mask-every must be ≥ 1, got \(nttMaskEvery)") }
        let experiment = SparseExperiment(config: config, method: method, density: density, ntt: ntt, nttPool: nttPool, denseReadout: denseReadout)
        do { try experiment.validate() } catch { throw flagError(error) }
        let result = try experiment.run { event in
            switch event {
            case .dataLoaded(let train, let test, let channels): log("\(config.dataset): \(train) train, \(test) test samples, \(channels) channels")
            case .nttIteration(let i, let ev) where i % 25 == 0 || i == ntt.iterations - 1:
                log(String(format: "ntt %d: output %.4g kernel %.4g l2 %.3g (%d/%d Hessian products dropped)", i, ev.outputLoss, ev.kernelLoss, ev.l2, ev.droppedProducts, ev.products))
            case .nttIteration: break
            case .maskReady(let d, let fan, let s): log(String(format: "mask: density %.4f, max fan-in %d (%.0f s)", d, fan, s))
            case .epochDone(let e, let acc, let loss, let s): log(String(format: "epoch %d: train %.2f %% loss %.4f (%.1f s)", e + 1, 100 * acc, loss, s))
            }
        }
        print(String(format: "%@ %@ density %.3f on %@: test accuracy %.2f %% (max fan-in %d)", config.dataset, method.rawValue, result.density,
                     config.substrate, 100 * result.testAccuracy, result.maxFanIn))
        if json { printJSONLine(result.jsonObject) }
    }

    private func log(_ s: String) {
        if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
    }
}
