import Foundation
import SpikeRun
import Testing

@Suite struct RunDirectoryLockTests {
    @Test("a second run into a locked folder is refused at once, naming the folder and the holder")
    func secondRunRefused() throws {
        let url = RunDirectoryTests.tempURL()
        let first = try RunDirectory.create(at: url, config: .synthetic)
        #expect(first.lock?.isHeld == true)
        let configBefore = try String(contentsOf: first.configURL, encoding: .utf8)
        var other = RunConfig.synthetic
        other.epochs = 99
        #expect {
            try RunDirectory.create(at: url, config: other)
        } throws: { e in
            let r = e as? RunError
            return r?.code == .runDirectory && r?.subject == url.path
                && r?.message.contains("in use by another training run (pid \(getpid())") == true
        }
        // The refused run touched nothing.
        #expect(try String(contentsOf: first.configURL, encoding: .utf8) == configBefore)
        try Data("x".utf8).write(to: first.lastCheckpointURL)
        #expect {
            try RunDirectory.resume(at: url, config: .synthetic)
        } throws: { e in
            (e as? RunError)?.message.contains("in use by another training run") == true
        }
        first.releaseLock()
        #expect(first.lock?.isHeld == false)
        try FileManager.default.removeItem(at: first.lastCheckpointURL)
        let second = try RunDirectory.create(at: url, config: other)
        #expect(second.lock?.isHeld == true)
    }

    @Test("a lock file left by a dead process does not block, and stale temporary files are removed")
    func staleLockAndTemporaries() throws {
        let url = RunDirectoryTests.tempURL()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try "pid 999999 on elsewhere, since 2020-01-01T00:00:00Z".write(
            to: url.appendingPathComponent(RunDirectoryLock.fileName), atomically: false, encoding: .utf8)
        let stale = [".last.safetensors.tmp-999999", ".config.json.tmp-1"]
        for name in stale { try Data(count: 10).write(to: url.appendingPathComponent(name)) }
        try Data().write(to: url.appendingPathComponent(".notes.tmp-draft"))  // not a temporary of ours
        let dir = try RunDirectory.create(at: url, config: .synthetic)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        #expect(stale.allSatisfy { !names.contains($0) } && names.contains(".notes.tmp-draft"))
        let holder = try String(contentsOf: url.appendingPathComponent(RunDirectoryLock.fileName), encoding: .utf8)
        #expect(holder.hasPrefix("pid \(getpid()) "))
        dir.releaseLock()
        // A resume cleans up too (a kill -9 during a checkpoint write leaves such a file).
        try Data("x".utf8).write(to: url.appendingPathComponent(".last.safetensors.tmp-424242"))
        #expect(dir.removeStaleTemporaryFiles() == [".last.safetensors.tmp-424242"])
    }

    @Test(
        "temporary names are recognized exactly",
        arguments: [
            (".last.safetensors.tmp-123", true), (".config.json.tmp-1", true), ("last.safetensors.tmp-1", false),
            (".last.safetensors.tmp-", false), (".x.tmp-12a", false), (".spikeloop.lock", false),
        ])
    func temporaryNames(name: String, expected: Bool) {
        #expect(DurableFile.isTemporaryName(name) == expected)
    }
}

@Suite struct DurableFileTests {
    @Test("an atomic write lands complete, replaces the old file and leaves no temporary file")
    func writeAndReplace() throws {
        let dir = RunDirectoryTests.tempURL()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("blob.bin")
        let big = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try atomicWrite(big, to: url)
        #expect(try Data(contentsOf: url) == big)
        try atomicWrite(Data("small".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("small".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["blob.bin"])
        try DurableFile.syncDirectory(dir)
        DurableFile.removePendingFromSignalHandler()  // nothing in flight: a no-op
        #expect(try Data(contentsOf: url) == Data("small".utf8))
    }

    @Test("a write that cannot land throws naming the file and leaves nothing behind")
    func failure() throws {
        let dir = RunDirectoryTests.tempURL()
        let missing = dir.appendingPathComponent("no/such/folder/file.json")
        #expect {
            try atomicWrite(Data("x".utf8), to: missing)
        } throws: { e in
            "\(e)".contains(missing.path)
        }
        // Renaming onto a folder fails after the temporary file was written: it must be removed.
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("taken"), withIntermediateDirectories: true)
        try Data("y".utf8).write(to: dir.appendingPathComponent("taken/inside"))
        #expect(throws: (any Error).self) { try atomicWrite(Data("x".utf8), to: dir.appendingPathComponent("taken")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["taken"])
    }
}
