/// A page-aligned, zero-initialized Float buffer with a stable address.
///
/// Kernels bind its pointer once and loop over it; a worker's buffers live in separate pages so that two
/// threads never share a cache line (one run lost 3× to false sharing before this).
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "buffer count must be non-negative, got \(count)")
        self.count = count
        let bytes = max(64, ((count * 4 + 4095) / 4096) * 4096)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointer = raw.bindMemory(to: Float.self, capacity: bytes / 4)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    @inlinable public func zero() { pointer.update(repeating: 0, count: count) }
    @inlinable public func zero(_ n: Int) { pointer.update(repeating: 0, count: n) }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// Rounds `n` up to a multiple of 16 (one AVX-512 vector of Float), the row stride of packed matrices.
@inlinable public func paddedTo16(_ n: Int) -> Int { (n + 15) & ~15 }

/// A zero-initialized Int32 buffer with a stable address (spike-event offsets).
public final class Int32Buffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Int32>

    /// - Parameter initialized: false leaves the memory untouched (pages are mapped on first write), for
    ///   capacity that is mostly never used, such as worst-case spike buffers.
    public init(count: Int, initialized: Bool = true) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        if initialized { pointer.initialize(repeating: 0, count: max(1, count)) }
    }

    deinit { pointer.deallocate() }

    public subscript(i: Int) -> Int32 {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
