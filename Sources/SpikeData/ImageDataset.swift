import Foundation
import SpikeCore
import SpikeModel

/// Grayscale images with labels, pixels in [0, 1], row-major `[count][height][width]`.
public struct ImageSet: Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [Float]
    public var labels: [Int32]

    public init(width: Int, height: Int, pixels: [Float], labels: [Int32]) {
        precondition(pixels.count == width * height * labels.count, "pixel count does not match \(labels.count) images of \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageSet {
        let n = width * height
        var px = [Float]()
        px.reserveCapacity(indices.count * n)
        for i in indices { px.append(contentsOf: pixels[(i * n)..<((i + 1) * n)]) }
        return ImageSet(width: width, height: height, pixels: px, labels: indices.map { labels[$0] })
    }
}

/// The image datasets SpikeLoop knows by name, with the paper's preprocessing (DESIGN §6).
public enum ImageDatasetName: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"

    /// Where Debian's `dataset-fashion-mnist` installs the original IDX files.
    public static let debianFashionMNIST = "/usr/share/datasets/fashion-mnist"

    /// Environment variable naming the folder that holds the four IDX files.
    public var environmentVariable: String { self == .mnist ? "SPIKELOOP_MNIST_DIR" : "SPIKELOOP_FASHION_MNIST_DIR" }

    /// How to get the files, for the error message when they are missing.
    public var howToGet: String {
        switch self {
        case .mnist:
            return "point --data-dir (or \(environmentVariable)) at a folder with the original MNIST IDX files "
                + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz "
                + "(gzip-compressed or not)"
        case .fashionMNIST:
            return "install them with `apt-get install dataset-fashion-mnist` (Debian, into \(Self.debianFashionMNIST)), "
                + "or point --data-dir (or \(environmentVariable)) at a folder with the four Fashion-MNIST IDX files"
        }
    }

    /// Crop applied on each side before resizing (MNIST: 28 → 24).
    public var crop: Int { self == .mnist ? 2 : 0 }
}

/// Loads MNIST-format datasets from IDX files and preprocesses them as in Cramer et al. 2022.
public enum ImageDatasets {
    /// The folder to read `name` from: the explicit one, the environment variable, or the Debian location.
    public static func directory(for name: ImageDatasetName, explicit: String?) -> String? {
        if let e = explicit { return e }
        if let env = ProcessInfo.processInfo.environment[name.environmentVariable], !env.isEmpty { return env }
        if name == .fashionMNIST { return ImageDatasetName.debianFashionMNIST }
        return nil
    }

    /// Finds `stem` (e.g. `train-images-idx3-ubyte`) in `dir`, compressed or not, with either naming.
    static func locate(_ stem: String, in dir: String) -> String? {
        let dotted = stem.replacingOccurrences(of: "-idx", with: ".idx")
        for name in [stem + ".gz", stem, dotted + ".gz", dotted] {
            let path = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    /// Reads one split (`train` or `t10k`) at full resolution, pixels scaled to [0, 1].
    public static func loadRaw(_ name: ImageDatasetName, split: String, directory: String?) throws -> ImageSet {
        guard let dir = self.directory(for: name, explicit: directory) else {
            throw DatasetError(.notFound, path: "", "dataset '\(name.rawValue)' has no location: \(name.howToGet)")
        }
        guard let imagesPath = locate("\(split)-images-idx3-ubyte", in: dir), let labelsPath = locate("\(split)-labels-idx1-ubyte", in: dir) else {
            throw DatasetError(.notFound, path: dir, "no \(name.rawValue) '\(split)' IDX files here: \(name.howToGet)")
        }
        let images = try IDXFile.read(imagesPath, expectedRank: 3)
        let labels = try IDXFile.read(labelsPath, expectedRank: 1)
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError(.mismatch, path: labelsPath, "holds \(labels.dimensions[0]) labels but \(imagesPath) holds \(images.dimensions[0]) images")
        }
        for (i, l) in labels.bytes.enumerated() where l > 9 {
            throw DatasetError(.corrupt, path: labelsPath, "label \(l) at index \(i) is outside 0...9")
        }
        try datasetChecks {
            try InputCheck(source: imagesPath).allocation(count: images.bytes.count, elementBytes: 4, field: "pixels as Float")
        }
        let px = images.bytes.map { Float($0) * (1 / 255) }
        return ImageSet(width: images.dimensions[2], height: images.dimensions[1], pixels: px, labels: labels.bytes.map { Int32($0) })
    }

    /// Reads a split and applies the paper's preprocessing: crop (MNIST 2 px per side) then area-resize to `size`×`size`.
    public static func load(_ name: ImageDatasetName, split: String, directory: String?, size: Int = 16) throws -> ImageSet {
        let raw = try loadRaw(name, split: split, directory: directory)
        try datasetChecks {
            let file = locate("\(split)-images-idx3-ubyte", in: self.directory(for: name, explicit: directory) ?? "") ?? name.rawValue
            let check = InputCheck(source: file)
            // The crop must leave at least one pixel: MNIST's 2-pixel crop needs images of at least 5x5.
            let minSide = 2 * name.crop + 1
            try check.inRange(raw.width, minSide...Int.max, field: "image width (\(name.rawValue) crops \(name.crop) px per side)")
            try check.inRange(raw.height, minSide...Int.max, field: "image height (\(name.rawValue) crops \(name.crop) px per side)")
            try InputCheck(source: "").inRange(size, 1...4096, field: "imageSize (the resized side, pixels)")
            try check.allocation(count: try check.product([raw.count, size, size], field: "resized images"), elementBytes: 4, field: "resized images")
        }
        return ImageOps.cropAndResize(raw, crop: name.crop, to: size)
    }
}
