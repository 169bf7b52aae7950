
/// A dataset could not be found, read or parsed; the message names the file and what was expected.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        case notFound = "not found"
        case unreadable
        case corrupt
        case mismatch
        case unknownName = "unknown dataset"
        /// A value or declared size failed a check of the validation layer (`underlying` says which).
        case invalid
    }

    public var code: Code
    public var path: String
    public var message: String
    /// The failed check, when the error comes from the validation layer.
    public var underlying: InputError?

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// Wraps a failed input check; the message keeps its field, finding and allowed range.
    public init(_ error: InputError) {
        self.code = .invalid
        self.path = error.source
        self.message = error.detail
        self.underlying = error
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Runs `body`, rethrowing an ``InputError`` as a ``DatasetError`` so a module throws one error type.
@inline(__always) @discardableResult
package func datasetChecks<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as InputError { throw DatasetError(e) }
}
