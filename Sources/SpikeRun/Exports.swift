// `import SpikeRun` is enough to configure, build and train networks: the types a run is made of
// (`Network`, `Layer`, `NeuronParameters`, `RunStatistics`, `SpikeBatch`, `ChipConfig`, `SeededRandom`, `NIRGraph`, …) come
// along.
@_exported import SpikeCore
@_exported import SpikeData
@_exported import SpikeSubstrate
@_exported import SpikeTraining
@_exported import SpikeNIR
