/// A dataset could not be found, read or parsed; the message names the file and what was expected.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        case notFound = "not found"
        case unreadable
        case corrupt
        case mismatch
        case unknownName = "unknown dataset"
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
