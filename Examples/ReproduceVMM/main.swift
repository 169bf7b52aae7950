// Trains the published MNIST network on the emulated chip's VMM mode (software, transfer, in the loop) and
// prints one JSON line per run (results/vmm.jsonl format). Progress goes to stderr.
// Usage: ReproduceVMM MNIST_DIR [SOFTWARE_EPOCHS] [LOOP_EPOCHS] [SEED] [TRAIN_LIMIT]
import Foundation
import SpikeANN

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: ReproduceVMM MNIST_DIR [SOFTWARE_EPOCHS] [LOOP_EPOCHS] [SEED] [TRAIN_LIMIT]\n".utf8))
    exit(2)
}
var settings = VMMExperiment.Settings(dataDirectory: args[1])
if args.count > 2, let e = Int(args[2]) { settings.softwareEpochs = e }
if args.count > 3, let e = Int(args[3]) { settings.loopEpochs = e }
if args.count > 4, let s = UInt64(args[4]) { settings.seed = s }
if args.count > 5, let n = Int(args[5]) { settings.trainLimit = n }
if let lr = ProcessInfo.processInfo.environment["VMM_LR"].flatMap(Float.init) { settings.learningRate = lr }
if let sh = ProcessInfo.processInfo.environment["VMM_SHIFTS"]?.split(separator: ",").compactMap({ Int($0) }), sh.count == 2 {
    settings.shifts = (sh[0], sh[1])
}
do {
    let records = try VMMExperiment.run(settings) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for r in records { print(String(decoding: try encoder.encode(r), as: UTF8.self)) }
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(1)
}
