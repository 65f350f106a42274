// The app's state: the client, the snapshot the screens render, the elder
// mode switch and the last notice. Errors become inline notices whose text
// comes from the core, already in the client's language.
import Ecard
import Foundation
import SwiftUI

struct Notice: Equatable {
    enum Kind { case info, retry, fixInput, notAllowed, stopped, fault

        var symbol: String {
            switch self {
            case .info: return "info.circle"
            case .retry: return "wifi.exclamationmark"
            case .fixInput: return "pencil.circle"
            case .notAllowed: return "hand.raised"
            case .stopped: return "nosign"
            case .fault: return "exclamationmark.triangle"
            }
        }
    }

    let text: String
    let kind: Kind
    var field: String? = nil
    /// The way forward the core chose for an error (caption: `errorActionLabel`).
    var action: ErrorAction = .none

    init(text: String, kind: Kind, field: String? = nil) {
        self.text = text
        self.kind = kind
        self.field = field
    }

    /// An account notice (a new device, an unlinked one, the PIN locked …), shown inline.
    init(_ notice: AccountNotice) {
        let text: String
        switch notice.kind {
        case .enrolmentRequested: text = String(localized: "有新设备申请开通您的电子社保卡")
        case .deviceEnrolled: text = String(localized: "您的电子社保卡已在新设备上启用")
        case .deviceUnlinked: text = String(localized: "一台设备已解除关联")
        case .pinChanged: text = String(localized: "电子社保卡密码已修改")
        case .pinLocked: text = String(localized: "电子社保卡密码已锁定")
        case .phoneChanged: text = String(localized: "预留手机号已更换")
        }
        self.init(text: notice.deviceName.map { String(localized: "\(text)：\($0)") } ?? text, kind: .info)
    }

    init(_ error: Error) {
        switch error as? EcardError {
        case let .Network(_, message)?: self.init(text: message, kind: .retry)
        case let .NotFound(_, message)?: self.init(text: message, kind: .info)
        case let .InvalidInput(_, message, field)?: self.init(text: message, kind: .fixInput, field: field.isEmpty ? nil : field)
        case let .NotAllowed(_, message)?: self.init(text: message, kind: .notAllowed)
        case let .Revoked(_, message)?: self.init(text: message, kind: .stopped)
        case let .Internal(_, message)?: self.init(text: message, kind: .fault)
        case nil: self.init(text: error.localizedDescription, kind: .fault)
        }
        if let ecard = error as? EcardError { action = errorAction(category: errorCategory(error: ecard), code: Notice.code(of: ecard)) }
    }

    private static func code(of error: EcardError) -> String {
        switch error {
        case let .Network(code, _), let .NotFound(code, _), let .InvalidInput(code, _, _),
             let .NotAllowed(code, _), let .Revoked(code, _), let .Internal(code, _):
            return code
        }
    }
}

/// Forwards the core's events to the main actor (called on a library thread).
final class EventRelay: EventListener, @unchecked Sendable {
    private weak var model: AppModel?

    init(_ model: AppModel) { self.model = model }

    func onEvent(event: EcardEvent) {
        let model = self.model
        Task { @MainActor in
            if case let .accountNotice(notice) = event { model?.notice = Notice(notice) }
            model?.reload()
        }
    }
}

@MainActor
final class AppModel: ObservableObject {
    @Published var snapshot: Snapshot?
    @Published var notice: Notice?
    /// The tab shown (a search hit's action button switches it).
    @Published var tab: AppTab = .code
    @Published var elderMode: Bool = UserDefaults.standard.bool(forKey: "elderMode") {
        didSet { UserDefaults.standard.set(elderMode, forKey: "elderMode") }
    }
    private(set) var client: EcardClient?
    /// The language of messages and labels (the client's, zh-CN before it opens).
    var language: Language { client?.language() ?? .zhCn }
    /// The face check of this build (the face platform's SDK).
    let faceCheck = FacePlatformCheck()
    /// The platform scanner of this build (扫一扫), for login QR codes.
    let scanner = PlatformScanner()
    private var subscription: EventSubscription?
    private var background: BackgroundSync?

    func start() async {
        guard client == nil else { return }
        OSLogSink.install()
        let directory = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("ecard", isDirectory: true)
        let url = Bundle.main.object(forInfoDictionaryKey: "EcardPlatformURL") as? String ?? "https://ecard.example.cn"
        var config = defaultConfig(dataDir: directory.path, platformUrl: url)
        if Locale.preferredLanguages.first?.hasPrefix("en") == true {
            config = ClientConfig(dataDir: config.dataDir, platformUrl: config.platformUrl, language: .en,
                                  deviceName: config.deviceName, defaultRegion: config.defaultRegion,
                                  deviceSuite: config.deviceSuite, requestTimeoutSeconds: config.requestTimeoutSeconds,
                                  storageLimitBytes: config.storageLimitBytes,
                                  keyStoreTimeoutSeconds: config.keyStoreTimeoutSeconds,
                                  fieldCipher: config.fieldCipher)
        }
        do {
            let client = try await EcardClient.open(config: config, keyStore: SecureEnclaveKeyStore())
            self.client = client
            subscription = try client.subscribe(listener: EventRelay(self))
            background = try client.startBackground(periodSeconds: 60)
            reload()
            _ = try? await client.syncCatalogue()
        } catch {
            notice = Notice(error)
        }
    }

    func reload() {
        guard let client else { return }
        do { snapshot = try client.snapshot() } catch { notice = Notice(error) }
    }

    /// Runs a client call; its error becomes the screen's notice.
    @discardableResult
    func perform<T>(_ work: (EcardClient) async throws -> T) async -> T? {
        guard let client else { return nil }
        do {
            let value = try await work(client)
            notice = nil
            reload()
            return value
        } catch is CancellationError {
            return nil
        } catch {
            notice = Notice(error)
            return nil
        }
    }
}
