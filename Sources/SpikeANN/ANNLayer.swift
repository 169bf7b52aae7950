import Foundation

/// Shape of a 2-D convolution over `[channels][height][width]` images, lowered onto a matrix product (im2col).
///
/// Each output position's receptive field becomes one row of `inChannels·kernel²` inputs, so the whole layer is
/// one `[batch·positions] × [inChannels·kernel²] × [outChannels]` VMM, as hxtorch lowers `Conv2d`.
public struct Conv2dGeometry: Codable, Equatable, Sendable {
    public var inChannels, outChannels, kernel, stride, padding, inHeight, inWidth: Int

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, inHeight: Int, inWidth: Int) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "conv2d needs positive channels (\(inChannels), \(outChannels)), kernel \(kernel), stride \(stride)")
        (self.inChannels, self.outChannels, self.kernel, self.stride, self.padding) = (inChannels, outChannels, kernel, stride, padding)
        (self.inHeight, self.inWidth) = (inHeight, inWidth)
        precondition(outHeight > 0 && outWidth > 0, "kernel \(kernel) does not fit a \(inHeight)x\(inWidth) image with padding \(padding)")
    }

    public var outHeight: Int { (inHeight + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (inWidth + 2 * padding - kernel) / stride + 1 }
    /// Output positions per image.
    public var positions: Int { outHeight * outWidth }
    /// Inputs per receptive field (rows of the weight matrix).
    public var patchSize: Int { inChannels * kernel * kernel }

    /// `[batch][C][H][W]` → `[batch·positions][patchSize]`; padding reads as 0.
    func im2col(_ x: [Float], batch: Int) -> [Float] {
        var col = [Float](repeating: 0, count: batch * positions * patchSize)
        forEachTap { p, k, c, iy, ix in
            for b in 0..<batch {
                col[(b * positions + p) * patchSize + k] = x[((b * inChannels + c) * inHeight + iy) * inWidth + ix]
            }
        }
        return col
    }

    /// The adjoint of ``im2col(_:batch:)``: sums patch gradients back onto the image.
    func col2im(_ col: [Float], batch: Int) -> [Float] {
        var x = [Float](repeating: 0, count: batch * inChannels * inHeight * inWidth)
        forEachTap { p, k, c, iy, ix in
            for b in 0..<batch {
                x[((b * inChannels + c) * inHeight + iy) * inWidth + ix] += col[(b * positions + p) * patchSize + k]
            }
        }
        return x
    }

    /// Calls `body(position, patchIndex, channel, y, x)` for every tap that falls inside the image.
    private func forEachTap(_ body: (Int, Int, Int, Int, Int) -> Void) {
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                let p = oy * outWidth + ox
                for c in 0..<inChannels {
                    for ky in 0..<kernel {
                        let iy = oy * stride - padding + ky
                        guard iy >= 0 && iy < inHeight else { continue }
                        for kx in 0..<kernel {
                            let ix = ox * stride - padding + kx
                            guard ix >= 0 && ix < inWidth else { continue }
                            body(p, (c * kernel + ky) * kernel + kx, c, iy, ix)
                        }
                    }
                }
            }
        }
    }
}

/// One layer of a conventional network that runs on the chip's VMM mode.
///
/// Weighted layers have no biases (the chip has none in VMM mode). Activations are batch-major flat arrays;
/// convolution outputs are `[batch][channel][y][x]`, so ``flatten`` is the identity on storage, as in PyTorch.
public enum ANNLayer: Codable, Equatable, Sendable {
    /// `y = g · x·W`, `W` of shape `[inputs][outputs]`.
    case linear(inputs: Int, outputs: Int)
    /// Convolution lowered onto one VMM (im2col).
    case conv2d(Conv2dGeometry)
    case relu
    /// The chip's activation between VMM layers: `min(31, floor(clamp(x, 0, 127) / 2^shift))` → the 5-bit inputs
    /// of the next layer (hxtorch's `ConvertingReLU`; the final clamp to 31 keeps shifts below 2 legal VMM inputs).
    /// Gradient `2^−shift` where neither clamp is active, straight through the floor.
    case convertingReLU(shift: Int)
    case flatten

    /// Rows and columns of the weight matrix, or nil for layers without weights.
    public var weightShape: (rows: Int, columns: Int)? {
        switch self {
        case .linear(let i, let o): return (i, o)
        case .conv2d(let g): return (g.patchSize, g.outChannels)
        default: return nil
        }
    }
}
