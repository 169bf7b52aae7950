import Foundation
import SpikeData
import SpikeRun

/// Status codes of the C ABI (`SL_*` in the Python package's `_native.py`); 0 is success.
///
/// A failing call returns a nonzero code (or a null handle) and leaves a message for the calling thread,
/// read with `sl_last_error`. Codes are stable: new ones are only appended.
enum CStatus: Int32 {
    case ok = 0
    /// A shape, count or index that the caller got wrong (the Python layer's `ValueError`).
    case invalidArgument = 1
    /// A setting that does not parse or is out of range (`RunError`, `TrainingError.invalidParameter`).
    case setting = 2
    /// A checkpoint or file that cannot be read or written.
    case checkpoint = 3
    /// A dataset that is missing or malformed (`DatasetError`).
    case dataset = 4
    /// Training diverged (a non-finite loss, gradient or weight).
    case diverged = 5
    /// Anything else.
    case other = 6
}

/// An error raised inside the C ABI itself: a bad argument, described with the numbers involved.
struct ArgumentError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// The last error message of each thread, as a C string owned by the thread's entry.
private final class MessageBox {
    let pointer: UnsafeMutablePointer<CChar>
    let code: Int32
    init(_ text: String, code: Int32) {
        pointer = strdup(text)!
        self.code = code
    }
    deinit { free(pointer) }
}

private let messageKey = "org.spikeloop.c.lastError"

/// The code for `error`, with the code and message stored for `sl_last_error` and `sl_last_error_code`.
func status(for error: Error) -> Int32 {
    let code = code(for: error)
    Thread.current.threadDictionary[messageKey] = MessageBox("\(error)", code: code)
    return code
}

private func code(for error: Error) -> Int32 {
    switch error {
    case is ArgumentError: return CStatus.invalidArgument.rawValue
    case let e as RunError: return (e.code == .checkpoint ? CStatus.checkpoint : CStatus.setting).rawValue
    case is DatasetError: return CStatus.dataset.rawValue
    case let e as TrainingError:
        switch e {
        case .invalidParameter: return CStatus.setting.rawValue
        case .shapeMismatch: return CStatus.invalidArgument.rawValue
        case .checkpoint, .io: return CStatus.checkpoint.rawValue
        case .diverged: return CStatus.diverged.rawValue
        @unknown default: return CStatus.other.rawValue
        }
    default: return CStatus.other.rawValue
    }
}

/// Runs `body`; returns 0, or the error's code with its message stored.
func guarded(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return CStatus.ok.rawValue
    } catch {
        return status(for: error)
    }
}

/// Runs `body` and retains the object it returns as an opaque handle; nil (message stored) on error.
func guardedHandle<T: AnyObject>(_ body: () throws -> T) -> UnsafeMutableRawPointer? {
    do {
        return Unmanaged.passRetained(try body()).toOpaque()
    } catch {
        _ = status(for: error)
        return nil
    }
}

/// The object behind a handle made by `guardedHandle` (not retained again).
func object<T: AnyObject>(_ handle: UnsafeMutableRawPointer, as: T.Type = T.self) -> T {
    Unmanaged<T>.fromOpaque(handle).takeUnretainedValue()
}

/// The last error message of the calling thread (empty when none); valid until the thread's next failing call.
@_cdecl("sl_last_error")
public func slLastError() -> UnsafePointer<CChar>? {
    guard let box = Thread.current.threadDictionary[messageKey] as? MessageBox else { return nil }
    return UnsafePointer(box.pointer)
}

/// The status code of the calling thread's last error (0 when none): how a null handle failed.
@_cdecl("sl_last_error_code")
public func slLastErrorCode() -> Int32 {
    (Thread.current.threadDictionary[messageKey] as? MessageBox)?.code ?? 0
}

/// Releases a handle returned by any `sl_*_create`, `sl_*_load` or `sl_run` call.
@_cdecl("sl_handle_free")
public func slHandleFree(_ handle: UnsafeMutableRawPointer?) {
    guard let h = handle else { return }
    Unmanaged<AnyObject>.fromOpaque(h).release()
}

/// Releases a string returned by `sl_network_config_json` or `sl_train_dataset`.
@_cdecl("sl_string_free")
public func slStringFree(_ text: UnsafeMutablePointer<CChar>?) {
    free(text)
}

/// The SpikeLoop C ABI version (bumped when a signature changes).
@_cdecl("sl_abi_version")
public func slABIVersion() -> Int32 { 1 }

/// Parses a JSON object given as a C string (null or empty: no settings).
func settings(_ json: UnsafePointer<CChar>?) throws -> [String: Any] {
    guard let json, json.pointee != 0 else { return [:] }
    let data = Data(String(cString: json).utf8)
    guard let dict = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw ArgumentError("settings must be a JSON object, got \(String(cString: json).prefix(80))")
    }
    return dict
}

/// A run config from a JSON object of settings over the defaults of its `dataset` (synthetic when absent).
func runConfig(_ json: UnsafePointer<CChar>?) throws -> RunConfig {
    let dict = try settings(json)
    let dataset = dict["dataset"] as? String ?? "synthetic"
    let config = try RunConfig.defaults(for: dataset).overlaid(with: dict, source: "settings")
    try config.validate()
    return config
}
