/// What went wrong reading or writing an HDF5 file, naming the file and the object inside it.
///
/// NIO's `FileSystemError` pattern: a code that can grow, a message that says what was expected and what was
/// found, the file, and the object path (`/node/nodes/lif/tau`).
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        /// The file could not be opened or created.
        case cannotOpen = "cannot open"
        /// An object the caller asked for is absent.
        case missing
        /// The object exists but has another type, class or shape than asked for.
        case wrongType = "wrong type"
        /// The HDF5 library reported a failure reading or writing.
        case io = "I/O"
        /// The file's HDF5 structure is damaged (found before the library was let near it).
        case corrupt
    }

    public var code: Code
    public var message: String
    /// The file's path.
    public var file: String
    /// The object's path inside the file (`/` for the file itself).
    public var object: String

    public init(_ code: Code, file: String, object: String, _ message: String) {
        self.code = code
        self.file = file
        self.object = object
        self.message = message
    }

    public var description: String { "\(file): \(object): \(message)" }
}
