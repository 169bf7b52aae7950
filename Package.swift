// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SpikeLoop",
    products: [
        .library(name: "SpikeCore", targets: ["SpikeCore"]),
        .library(name: "SpikeTraining", targets: ["SpikeTraining"]),
        .library(name: "SpikeData", targets: ["SpikeData"]),
        .library(name: "SpikeReport", targets: ["SpikeReport"]),
        .library(name: "SpikeSubstrate", targets: ["SpikeSubstrate"]),
        .library(name: "SpikeAudio", targets: ["SpikeAudio"]),
        .executable(name: "spikeloop", targets: ["spikeloop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - System libraries (Debian packages)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),

        // MARK: - Implementation details (not API)
        .target(name: "CSpikeKernels", exclude: ["nerve_body.inc"]),

        // MARK: - Public API
        .target(name: "SpikeCore", dependencies: ["CBLAS", "CSpikeKernels"]),
        .target(name: "SpikeTraining", dependencies: ["SpikeCore", "CSpikeKernels"]),
        .target(name: "SpikeData", dependencies: ["SpikeCore", "SpikeTraining", "CZlib", "CHDF5"]),
        .target(name: "SpikeSubstrate", dependencies: ["SpikeTraining", "SpikeCore", "CSpikeKernels"]),
        .target(name: "SpikeReport", dependencies: ["SpikeTraining"]),
        .target(name: "SpikeAudio", dependencies: ["SpikeCore", "SpikeData", "CFFTW", "CSpikeKernels"]),
        .executableTarget(
            name: "spikeloop",
            dependencies: [
                "SpikeCore", "SpikeTraining", "SpikeData", "SpikeReport", "SpikeSubstrate", "SpikeAudio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]),

        .target(name: "_SpikeTestSupport", dependencies: ["SpikeTraining"]),

        // MARK: - Unit test bundles
        .testTarget(name: "SpikeCoreTests", dependencies: ["SpikeCore"]),
        .testTarget(name: "SpikeTrainingTests", dependencies: ["SpikeTraining", "SpikeCore", "SpikeData", "_SpikeTestSupport"]),
        .testTarget(name: "SpikeDataTests", dependencies: ["SpikeData", "SpikeCore", "SpikeTraining"], exclude: ["Fixtures"]),
        .testTarget(name: "SpikeSubstrateTests", dependencies: ["SpikeSubstrate", "SpikeTraining", "SpikeData", "SpikeCore"]),
        .testTarget(name: "SpikeAudioTests", dependencies: ["SpikeAudio", "SpikeData", "SpikeCore"]),
        .testTarget(name: "SpikeLoopCLITests", dependencies: ["spikeloop", "SpikeData"]),
        .testTarget(
            name: "SpikeFuzzTests",
            dependencies: ["SpikeData", "SpikeCore", "SpikeTraining", "SpikeAudio", "CZlib", "CHDF5"]),
    ],
    swiftLanguageModes: [.v5]
)
