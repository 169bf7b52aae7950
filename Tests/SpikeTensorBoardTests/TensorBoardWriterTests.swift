import Foundation
import SwiftProtobuf
import Testing

@testable import SpikeTensorBoard

@Suite struct TensorBoardWriterTests {
    @Test("CRC-32C matches the published check value and TensorFlow's mask")
    func crc() {
        #expect(TFRecord.crc32c(Data("123456789".utf8)) == 0xE306_9283)
        #expect(TFRecord.crc32c(Data()) == 0)
        // 32 bytes of zeros: the iSCSI test vector (RFC 3720, B.4).
        #expect(TFRecord.crc32c(Data(count: 32)) == 0x8A91_36AA)
        let crc: UInt32 = 0xE306_9283
        #expect(TFRecord.maskedCRC32C(Data("123456789".utf8)) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    @Test("a frame is length, masked CRC, data, masked CRC; corruption is caught")
    func framing() throws {
        let data = Data("an event".utf8)
        var framed = TFRecord.frame(data)
        #expect(framed.count == data.count + 16)
        #expect(try TFRecord.records(in: framed) == [data])
        framed[14] ^= 1
        #expect(throws: TensorBoardError.self) { try TFRecord.records(in: framed) }
        #expect(throws: TensorBoardError.self) { try TFRecord.records(in: TFRecord.frame(data).dropLast()) }
    }

    @Test("scalars and histograms read back from the event file, after the version record")
    func writeAndRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID())")
        let log = try TensorBoardWriter(directory: dir)
        try log.scalars([("train_loss", 0.5), ("learning_rate", 1.5e-3)], step: 1)
        try log.histogram("weights/layer0", [-1, 0, 0.5, 2, .nan], step: 1)
        try log.scalars([("train_loss", 0.25)], step: 2)
        try log.flush()
        #expect(log.url.lastPathComponent.hasPrefix("events.out.tfevents."))
        let values = try TensorBoardValue.read(log.url)
        #expect(values.map(\.tag) == ["train_loss", "learning_rate", "weights/layer0", "train_loss"])
        #expect(values[0].scalar == 0.5 && values[3].step == 2 && values[3].scalar == 0.25)
        #expect(values[2].histogramCount == 4)
        let first = try #require(try TFRecord.records(in: Data(contentsOf: log.url)).first)
        #expect(try Tensorboard_Event(serializedBytes: first).fileVersion == "brain.Event:2")
    }

    @Test("histogram buckets cover (limit[i-1], limit[i]] and count every finite value", arguments: [1, 2, 7, 30])
    func buckets(count: Int) {
        let values: [Float] = (0..<100).map { Float($0) / 10 - 3 }
        let h = TensorBoardWriter.histogram(values, buckets: count)
        #expect(h.bucket.count == count && h.bucketLimit.count == count && h.bucket.reduce(0, +) == 100)
        #expect(h.min == -3 && h.max == Double(Float(9.9) - 3) && h.bucketLimit.last == h.max)
        #expect(TensorBoardWriter.histogram([2, 2, 2], buckets: count).bucket.reduce(0, +) == 3)
        #expect(TensorBoardWriter.histogram([], buckets: count).num == 0)
    }
}
