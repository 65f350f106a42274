// The PlatformLogger of iOS: the core's log lines (already masked) into the
// unified log, under the subsystem of the app.
import Foundation
import os

public final class OSLogSink: PlatformLogger, @unchecked Sendable {
    private let osLog: OSLog

    public init(subsystem: String = Bundle.main.bundleIdentifier ?? "cn.ecard") {
        osLog = OSLog(subsystem: subsystem, category: "ecard-core")
    }

    public func log(level: LogLevel, target: String, message: String) {
        let type: OSLogType
        switch level {
        case .error: type = .error
        case .warn: type = .default
        case .info: type = .info
        case .debug, .trace: type = .debug
        }
        // The text is masked by the library; `public` keeps it readable in
        // sysdiagnoses.
        os_log("%{public}@: %{public}@", log: osLog, type: type, target, message)
    }

    /// Routes the library's log lines here (call once at start-up).
    public static func install(maxLevel: LogLevel = .info) {
        setLogger(logger: OSLogSink(), maxLevel: maxLevel)
    }
}
