import Foundation
import SwiftProtobuf

/// Writes a TensorBoard event file (`events.out.tfevents.<time>.<host>.<pid>.spikeloop`) with scalars and
/// histograms, so SpikeLoop runs appear in TensorBoard beside PyTorch runs (`tensorboard --logdir runs`).
///
/// Events are `tensorboard.Event` protobuf messages (swift-protobuf, code generated from `event.proto`, `summary.proto` and `histogram.proto`)
/// in TFRecord framing (``TFRecord``). The file is append-only, as TensorBoard reads it while it grows;
/// ``flush()`` makes what was written durable (fsync). A resumed run opens a new file in the same folder, and
/// TensorBoard merges a folder's files.
///
/// ```swift
/// let log = try TensorBoardWriter(directory: runDirectory.appendingPathComponent("tensorboard"))
/// try log.scalars([("train_loss", 0.42), ("learning_rate", 1.5e-3)], step: 1)
/// try log.histogram("weights/layer0", weights, step: 1)
/// try log.flush()
/// ```
public final class TensorBoardWriter {
    public let url: URL
    private let fd: Int32

    /// Creates the folder if needed and starts a new event file with the `brain.Event:2` version record.
    public init(directory: URL, date: Date = Date()) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw TensorBoardError(path: directory.path, "cannot create the folder: \(error.localizedDescription)")
        }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let name = "events.out.tfevents.\(Int(date.timeIntervalSince1970)).\(host).\(getpid()).spikeloop"
        url = directory.appendingPathComponent(name)
        fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw TensorBoardError(path: url.path, "cannot create: \(String(cString: strerror(errno)))") }
        var event = Tensorboard_Event()
        event.wallTime = date.timeIntervalSince1970
        event.fileVersion = "brain.Event:2"
        try write(event)
    }

    deinit { close(fd) }

    /// Scalars of one step (TensorBoard's Scalars tab), one event.
    public func scalars(_ values: [(tag: String, value: Double)], step: Int, date: Date = Date()) throws {
        var summary = Tensorboard_Summary()
        summary.value = values.map { tag, value in
            var v = Tensorboard_Summary.Value()
            v.tag = tag
            v.simpleValue = Float(value)
            return v
        }
        try write(summary, step: step, date: date)
    }

    /// A histogram of `values` over `buckets` equal-width buckets between their minimum and maximum
    /// (TensorBoard's Histograms and Distributions tabs). Non-finite values are left out.
    public func histogram(_ tag: String, _ values: [Float], step: Int, buckets: Int = 30, date: Date = Date()) throws {
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        v.histo = Self.histogram(values, buckets: buckets)
        var summary = Tensorboard_Summary()
        summary.value = [v]
        try write(summary, step: step, date: date)
    }

    /// `min`, `max`, `num`, `sum`, `sum_squares` and bucket `i` counting values in `(limit[i−1], limit[i]]`
    /// (the first bucket also takes the minimum).
    static func histogram(_ values: [Float], buckets: Int) -> Tensorboard_HistogramProto {
        precondition(buckets > 0, "a histogram needs at least one bucket, got \(buckets)")
        let x = values.lazy.filter(\.isFinite).map(Double.init)
        var h = Tensorboard_HistogramProto()
        guard let lo = x.min(), let hi = x.max() else { return h }
        h.min = lo
        h.max = hi
        h.num = Double(x.count)
        h.sum = x.reduce(0, +)
        h.sumSquares = x.reduce(0) { $0 + $1 * $1 }
        let width = hi > lo ? (hi - lo) / Double(buckets) : 1
        h.bucketLimit = (1...buckets).map { $0 == buckets ? hi : lo + Double($0) * width }
        var counts = [Double](repeating: 0, count: buckets)
        for v in x {
            let i = hi > lo ? Int(((v - lo) / width).rounded(.up)) - 1 : 0
            counts[min(buckets - 1, max(0, i))] += 1
        }
        h.bucket = counts
        return h
    }

    /// Makes everything written so far durable.
    public func flush() throws {
        guard fsync(fd) == 0 else { throw TensorBoardError(path: url.path, "cannot flush: \(String(cString: strerror(errno)))") }
    }

    private func write(_ summary: Tensorboard_Summary, step: Int, date: Date) throws {
        var event = Tensorboard_Event()
        event.wallTime = date.timeIntervalSince1970
        event.step = Int64(step)
        event.summary = summary
        try write(event)
    }

    private func write(_ event: Tensorboard_Event) throws {
        let bytes: Data
        do { bytes = try event.serializedBytes() } catch {
            throw TensorBoardError(path: url.path, "cannot encode an event: \(error)")
        }
        let record = [UInt8](TFRecord.frame(bytes))
        let written = record.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == record.count else {
            throw TensorBoardError(path: url.path, "cannot write: \(String(cString: strerror(errno)))")
        }
    }
}

/// One value read back from an event file.
public struct TensorBoardValue: Equatable, Sendable {
    public var step: Int
    public var tag: String
    /// The scalar, or nil for a histogram.
    public var scalar: Double?
    /// The histogram's value count, or nil for a scalar.
    public var histogramCount: Double?

    /// The scalars and histograms of an event file, every record's CRCs checked.
    public static func read(_ url: URL) throws -> [TensorBoardValue] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TensorBoardError(path: url.path, "cannot read: \(error.localizedDescription)")
        }
        var out: [TensorBoardValue] = []
        for record in try TFRecord.records(in: data, path: url.path) {
            let event: Tensorboard_Event
            do { event = try Tensorboard_Event(serializedBytes: record) } catch {
                throw TensorBoardError(path: url.path, "a record is not a tensorboard.Event: \(error)")
            }
            guard case .summary(let s) = event.what else { continue }
            for v in s.value {
                switch v.value {
                case .simpleValue(let x): out.append(TensorBoardValue(step: Int(event.step), tag: v.tag, scalar: Double(x)))
                case .histo(let h): out.append(TensorBoardValue(step: Int(event.step), tag: v.tag, histogramCount: h.num))
                case nil: break
                }
            }
        }
        return out
    }
}
