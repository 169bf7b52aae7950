/// A 64-byte-aligned, zero-initialized Float buffer with a stable address, in pages of its own.
///
/// Kernels bind its pointer once and loop over it; a worker's buffers live in separate pages so that two
/// threads never share a cache line (one run lost 3× to false sharing before this). Each buffer starts at
/// a different offset within its first page ("colouring"): buffers that all began on a page boundary
/// made every `I[c]` load wait on the `V[c]` store 4 KiB away (4K aliasing), which cost ~2× in the LIF step.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    private let base: UnsafeMutableRawPointer

    nonisolated(unsafe) private static var colour = 0

    /// - Parameter colour: a fixed placement for buffers whose position must not depend on what was allocated
    ///   before them (nil: the next colour in allocation order).
    public init(count: Int, colour: Int? = nil) {
        precondition(count >= 0, "buffer count must be non-negative, got \(count)")
        self.count = count
        if colour == nil { FloatBuffer.colour &+= 1 }
        let offset = ((colour ?? FloatBuffer.colour) % 13) * 320
        let bytes = max(64, ((count * 4 + offset + 4095) / 4096) * 4096)
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointer = (base + offset).bindMemory(to: Float.self, capacity: (bytes - offset) / 4)
    }

    deinit { base.deallocate() }

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
        // Page-aligned at a fixed offset: where a spike list sits must not depend on the heap's history (malloc
        // moves large blocks between the heap and mmap as its threshold adapts), which decides 4K aliasing with
        // the state vectors the kernels store to.
        let bytes = 1088 + 4 * max(1, count)
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 4096)
        pointer = (base + 1088).bindMemory(to: Int32.self, capacity: max(1, count))
        if initialized { pointer.initialize(repeating: 0, count: max(1, count)) }
    }

    private let base: UnsafeMutableRawPointer

    deinit { base.deallocate() }

    public subscript(i: Int) -> Int32 {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// Row stride for a population of `n` neurons: one vector of 16 for tiny layers (readouts), else a multiple
/// of 64 so that the blocked kernels can keep 64 neurons' state in registers.
@inlinable public func neuronStride(_ n: Int) -> Int { n <= 16 ? 16 : (n + 63) & ~63 }
