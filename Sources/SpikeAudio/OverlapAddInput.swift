import CFFTW

/// The input side of an FFT overlap-add filter bank, shared by the fast and the lauscher-faithful cochlea: the
/// signal cut into hops of `block` samples, each zero-padded to `fftSize` and transformed with `forwardPlan`, the
/// spectra stored `binStride` complex values apart (a multiple of 8, so each keeps FFTW's 64-byte alignment).
protocol OverlapAddInput {
    var block: Int { get }
    var fftSize: Int { get }
    var binStride: Int { get }
    var forwardPlan: fftwf_plan { get }
}

extension OverlapAddInput {
    /// The block spectra of `x` (free `pointer` with `fftwf_free`).
    func blockSpectra(_ x: [Float]) -> (pointer: UnsafeMutablePointer<fftwf_complex>, blocks: Int) {
        let blocks = max(1, (x.count + block - 1) / block)
        let spectra = fftwf_alloc_complex(blocks * binStride)!
        let frame = fftwf_alloc_real(fftSize)!
        defer { fftwf_free(frame) }
        for j in 0..<blocks {
            frame.update(repeating: 0, count: fftSize)
            let lo = j * block, hi = min(x.count, lo + block)
            if hi > lo { x.withUnsafeBufferPointer { frame.update(from: $0.baseAddress! + lo, count: hi - lo) } }
            fftwf_execute_dft_r2c(forwardPlan, frame, spectra + j * binStride)
        }
        return (spectra, blocks)
    }
}
