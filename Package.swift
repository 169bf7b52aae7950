// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SpikeLoop",
    products: [
        .library(name: "SpikeCore", targets: ["SpikeCore"]),
        .library(name: "SpikeModel", targets: ["SpikeModel"]),
        .library(name: "SpikeKernels", targets: ["SpikeKernels"]),
        .library(name: "SpikeTraining", targets: ["SpikeTraining"]),
        .library(name: "SpikeData", targets: ["SpikeData"]),
        .library(name: "SpikeReport", targets: ["SpikeReport"]),
        .library(name: "SpikeSubstrate", targets: ["SpikeSubstrate"]),
        .library(name: "SpikeANN", targets: ["SpikeANN"]),
        .library(name: "SpikeAudio", targets: ["SpikeAudio"]),
        .library(name: "SpikeRun", targets: ["SpikeRun"]),
        .library(name: "SpikeHDF5", targets: ["SpikeHDF5"]),
        .library(name: "SpikeNIR", targets: ["SpikeNIR"]),
        .library(name: "SpikeTensorBoard", targets: ["SpikeTensorBoard"]),
        .library(name: "SpikeMPI", targets: ["SpikeMPI"]),
        .executable(name: "spikeloop", targets: ["spikeloop"]),
        // The C ABI under the Python package (python/): `libSpikeLoopC.so`.
        .library(name: "SpikeLoopC", type: .dynamic, targets: ["SpikeLoopC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // TensorBoard event files. Only the library: the Swift code is generated once from
        // Sources/SpikeTensorBoard/{event,summary,histogram}.proto and committed (no build plugin).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // MARK: - System libraries (Debian packages)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),  // CRC-32C

        // MARK: - Implementation details (not API)
        // Open MPI, loaded at run time (dlopen) so that nothing needs MPI installed unless started by mpirun.
        .target(name: "_CMPILoader", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "_CSpikeKernels"),  // spike compaction (AVX-512 with a portable path)
        .target(name: "_CAudioKernels", exclude: ["nerve_body.inc", "lauscher_body.inc"]),  // auditory nerve, spectral products

        // MARK: - Public API
        .target(name: "SpikeCore", dependencies: ["CBLAS"]),
        .target(name: "SpikeModel", dependencies: ["SpikeCore"]),
        .target(name: "SpikeKernels", dependencies: ["SpikeModel", "SpikeCore", "_CSpikeKernels"]),
        .target(name: "SpikeTraining", dependencies: ["SpikeModel", "SpikeKernels", "SpikeCore"]),
        .target(name: "SpikeData", dependencies: ["SpikeCore", "SpikeModel", "SpikeHDF5", "CZlib", "CHDF5"]),
        .target(name: "SpikeSubstrate", dependencies: ["SpikeTraining", "SpikeCore", "_CSpikeKernels"]),
        .target(name: "SpikeANN", dependencies: ["SpikeSubstrate", "SpikeTraining", "SpikeCore", "SpikeData", "SpikeReport"]),
        .target(name: "SpikeReport"),
        .target(name: "SpikeHDF5", dependencies: ["CHDF5"]),
        .target(name: "SpikeNIR", dependencies: ["SpikeHDF5", "SpikeModel"]),
        .target(
            name: "SpikeTensorBoard",
            dependencies: ["CISAL", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["event.proto", "summary.proto", "histogram.proto"]),
        .target(name: "SpikeAudio", dependencies: ["SpikeCore", "CFFTW", "_CAudioKernels"]),
        .target(
            name: "SpikeRun",
            dependencies: [
                "SpikeCore", "SpikeTraining", "SpikeData", "SpikeSubstrate", "SpikeReport", "SpikeAudio", "SpikeNIR",
                "SpikeTensorBoard", .product(name: "Yams", package: "Yams"),
            ]),
        .target(name: "SpikeMPI", dependencies: ["SpikeTraining", "_CMPILoader"]),
        .target(name: "SpikeLoopC", dependencies: ["SpikeRun"]),
        .executableTarget(
            name: "spikeloop",
            dependencies: [
                "SpikeRun", "SpikeCore", "SpikeTraining", "SpikeAudio", "SpikeANN", "SpikeMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: - Examples (also end-to-end tests: Tests/SpikeLoopCLITests/ExampleTests.swift)
        .executableTarget(name: "TrainMNISTOnChip", dependencies: ["SpikeRun"], path: "Examples/TrainMNISTOnChip"),
        .executableTarget(name: "RecurrentSHD", dependencies: ["SpikeRun"], path: "Examples/RecurrentSHD"),
        .executableTarget(name: "ReproduceVMM", dependencies: ["SpikeANN"], path: "Examples/ReproduceVMM"),

        .target(name: "_SpikeTestSupport", dependencies: ["SpikeTraining"]),

        // MARK: - Unit test bundles
        .testTarget(name: "SpikeCoreTests", dependencies: ["SpikeCore"]),
        .testTarget(name: "SpikeTrainingTests", dependencies: ["SpikeTraining", "SpikeCore", "SpikeData", "_SpikeTestSupport"]),
        .testTarget(name: "SpikeDataTests", dependencies: ["SpikeData", "SpikeCore", "SpikeTraining"], exclude: ["Fixtures"]),
        .testTarget(name: "SpikeSubstrateTests", dependencies: ["SpikeSubstrate", "SpikeTraining", "SpikeData", "SpikeCore", "_SpikeTestSupport"]),
        .testTarget(name: "SpikeANNTests", dependencies: ["SpikeANN", "SpikeSubstrate", "SpikeTraining", "SpikeCore"]),
        .testTarget(name: "SpikeAudioTests", dependencies: ["SpikeAudio", "SpikeData", "SpikeCore"]),
        .testTarget(
            name: "SpikeNIRTests", dependencies: ["SpikeNIR", "SpikeHDF5", "SpikeTraining", "SpikeModel"],
            exclude: ["Fixtures"]),
        .testTarget(name: "SpikeReportTests", dependencies: ["SpikeReport"]),
        .testTarget(name: "SpikeRunTests", dependencies: ["SpikeRun", "SpikeTensorBoard"], exclude: ["Fixtures"]),
        .testTarget(name: "SpikeLoopCTests", dependencies: ["SpikeLoopC"]),
        .testTarget(name: "SpikeTensorBoardTests", dependencies: ["SpikeTensorBoard"]),
        .testTarget(
            name: "SpikeLoopCLITests", dependencies: ["spikeloop", "TrainMNISTOnChip", "RecurrentSHD", "SpikeData", "SpikeTraining"]),
        .testTarget(
            name: "SpikeFuzzTests",
            dependencies: ["SpikeData", "SpikeCore", "SpikeTraining", "SpikeAudio", "SpikeNIR", "SpikeHDF5", "CZlib", "CHDF5"]),
    ],
    swiftLanguageModes: [.v5]
)
