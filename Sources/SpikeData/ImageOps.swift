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
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        out.withUnsafeMutableBufferPointer { o in
            set.pixels.withUnsafeBufferPointer { src in
                parallelChunks(count: set.count, workers: availableCores) { _, range in
                    for img in range {
                        let c = cos(angles[img]), s = sin(angles[img])
                        for y in 0..<h {
                            for x in 0..<w {
                                // inverse map: output (x, y) samples input at R(−θ)·(x − c)
                                let dx = Double(x) - cx, dy = Double(y) - cy
                                let sx = c * dx + s * dy + cx
                                let sy = -s * dx + c * dy + cy
                                let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                                func px(_ xx: Int, _ yy: Int) -> Float {
                                    xx >= 0 && xx < w && yy >= 0 && yy < h ? src[img * n + yy * w + xx] : 0
                                }
                                let v = (1 - fx) * (1 - fy) * px(x0, y0) + fx * (1 - fy) * px(x0 + 1, y0)
                                    + (1 - fx) * fy * px(x0, y0 + 1) + fx * fy * px(x0 + 1, y0 + 1)
                                o[img * n + y * w + x] = v
                            }
                        }
                    }
                }
            }
        }
        return ImageSet(width: w, height: h, pixels: out, labels: set.labels)
    }
}
