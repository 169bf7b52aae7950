import Foundation
import SpikeCore

/// Image preprocessing: crop, area resize, rotation (augmentation).
public enum ImageOps {
    /// Crops `crop` pixels from every side, then resizes by **area averaging** (each output pixel is the mean
    /// of the input area it covers, with fractional weights at the edges — OpenCV's `INTER_AREA`, PIL's `BOX`).
    /// Area averaging is the antialiased choice for downsampling: no aliasing of thin strokes.
    public static func cropAndResize(_ set: ImageSet, crop: Int, to size: Int) -> ImageSet {
        let w = set.width - 2 * crop
        let h = set.height - 2 * crop
        precondition(w > 0 && h > 0, "crop \(crop) leaves no image of \(set.width)x\(set.height)")
        let wx = areaWeights(from: w, to: size)
        let wy = areaWeights(from: h, to: size)
        let n = set.width * set.height
        var out = [Float](repeating: 0, count: set.count * size * size)
        out.withUnsafeMutableBufferPointer { o in
            set.pixels.withUnsafeBufferPointer { src in
                parallelChunks(count: set.count, workers: availableCores) { _, range in
                    var rows = [Float](repeating: 0, count: h * size)
                    for img in range {
                        let base = img * n
                        // horizontal pass
                        for y in 0..<h {
                            for x in 0..<size {
                                var acc: Float = 0
                                for (sx, wgt) in wx[x] { acc += wgt * src[base + (y + crop) * set.width + sx + crop] }
                                rows[y * size + x] = acc
                            }
                        }
                        for y in 0..<size {
                            for x in 0..<size {
                                var acc: Float = 0
                                for (sy, wgt) in wy[y] { acc += wgt * rows[sy * size + x] }
                                o[img * size * size + y * size + x] = acc
                            }
                        }
                    }
                }
            }
        }
        return ImageSet(width: size, height: size, pixels: out, labels: set.labels)
    }

    /// For each output index, the input indices and weights (summing to 1) of area averaging `n → m`.
    static func areaWeights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { o in
            let lo = Double(o) * scale
            let hi = Double(o + 1) * scale
            var out: [(Int, Float)] = []
            var i = Int(lo.rounded(.down))
            while Double(i) < hi && i < n {
                let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
                if overlap > 1e-9 { out.append((i, Float(overlap / scale))) }
                i += 1
            }
            return out
        }
    }

    /// Rotates every image by its own angle (radians) about the centre, bilinear, zero outside.
    public static func rotate(_ set: ImageSet, angles: [Double]) -> ImageSet {
        precondition(angles.count == set.count, "need one angle per image")
        let w = set.width, h = set.height, n = w * h
        var out = [Float](repeating: 0, count: set.pixels.count)
        let cx = Float(w - 1) / 2, cy = Float(h - 1) / 2
        out.withUnsafeMutableBufferPointer { o in
            set.pixels.withUnsafeBufferPointer { src in
                let src = src.baseAddress!, dst = o.baseAddress!
                parallelChunks(count: set.count, workers: availableCores) { _, range in
                    for img in range {
                        let c = Float(cos(angles[img])), s = Float(sin(angles[img]))
                        let base = src + img * n
                        for y in 0..<h {
                            let dy = Float(y) - cy
                            for x in 0..<w {
                                // inverse map: output (x, y) samples the input at R(−θ)·(x − c) + c
                                let dx = Float(x) - cx
                                let sx = c * dx + s * dy + cx
                                let sy = -s * dx + c * dy + cy
                                let fx0 = sx.rounded(.down), fy0 = sy.rounded(.down)
                                let x0 = Int(fx0), y0 = Int(fy0)
                                let fx = sx - fx0, fy = sy - fy0
                                var v: Float = 0
                                if x0 >= 0 && y0 >= 0 && x0 < w && y0 < h { v += (1 - fx) * (1 - fy) * base[y0 * w + x0] }
                                if x0 + 1 >= 0 && y0 >= 0 && x0 + 1 < w && y0 < h { v += fx * (1 - fy) * base[y0 * w + x0 + 1] }
                                if x0 >= 0 && y0 + 1 >= 0 && x0 < w && y0 + 1 < h { v += (1 - fx) * fy * base[(y0 + 1) * w + x0] }
                                if x0 + 1 >= 0 && y0 + 1 >= 0 && x0 + 1 < w && y0 + 1 < h { v += fx * fy * base[(y0 + 1) * w + x0 + 1] }
                                dst[img * n + y * w + x] = v
                            }
                        }
                    }
                }
            }
        }
        return ImageSet(width: w, height: h, pixels: out, labels: set.labels)
    }
}
