import ArgumentParser
import Foundation
import SpikeRun

/// `spikeloop export`: a checkpoint for other frameworks (snnTorch/PyTorch) or as a smaller weights-only file.
struct Export: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case torch
        case weights
    }

    static let configuration = CommandConfiguration(
        abstract: "Export a checkpoint: a PyTorch state dict for snnTorch, or a weights-only SpikeLoop checkpoint.",
        discussion: """
            torch: weights-only safetensors, weights [out, in] named for the snnTorch module layout \
            spikeloop-snntorch-v1 (fc1.weight, lif1.alpha/beta/threshold, lif1.recurrent.weight [post, pre], …), \
            metadata with class names, every encoder parameter, the readout reduction, the run config and the \
            SpikeLoop version; chip-trained checkpoints add the 6-bit codes that ran on the chip \
            (chip.fc1.weight_codes). python/examples/load_in_snntorch.py rebuilds the network in snnTorch from it. \
            weights: the same SpikeLoop checkpoint without optimizer state (evaluates and exports the same).
            """)

    @Argument(help: "Checkpoint (.safetensors) written by spikeloop train.") var checkpoint: String
    @Option(help: "Export format: torch or weights.") var format: Format = .torch
    @Option(name: .shortAndLong, help: "Output file (default: the checkpoint's name with .torch.safetensors or .weights.safetensors).") var output: String?

    func run() throws {
        let input = URL(fileURLWithPath: checkpoint)
        let out = URL(fileURLWithPath: output ?? Self.defaultOutput(for: checkpoint, format: format))
        switch format {
        case .torch:
            let summary = try TorchExport.export(checkpoint: input, to: out)
            print("wrote \(out.path): \(summary.tensorNames.joined(separator: ", "))")
            if summary.hasChipCodes { print("includes the 6-bit weight codes that ran on the chip (chip.*)") }
        case .weights:
            try CheckpointExport.writeWeightsOnly(checkpoint: input, to: out)
            print("wrote \(out.path) (no optimizer state)")
        }
    }

    static func defaultOutput(for path: String, format: Format) -> String {
        let base = path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) : path
        return base + (format == .torch ? ".torch.safetensors" : ".weights.safetensors")
    }
}
