// 扫一扫 (scan), the login consent screen (扫码登录), 我的授权 and 谁查看了我的
// 信息. What a scan is, who asks and what is allowed come from the core
// (classifyScan, loginRequest: the relying party's registered name, never
// text from the QR code); the screens lay it out with the same rules as the
// Android screen models (android/ecard …/LoginModels.kt, unit tested there):
// scopes in plain words, a countdown on the platform's clock, mandates with
// the login scope for 为家人登录, lists newest first. Elder mode: large text
// and targets, one action per screen, every message inline.
import Ecard
import SwiftUI

/// The platform scanner as this build has it (VisionKit's DataScannerViewController or
/// AVFoundation): `scan` opens the camera and answers the text read, or nil when the person
/// closed it. A build without one says so on the scan screen.
final class PlatformScanner: @unchecked Sendable {
    let scan: (() async -> String?)?

    init(scan: (() async -> String?)? = nil) {
        self.scan = scan
    }
}

/// Where a scan leads.
enum ScanRoute: Equatable {
    case login(requestId: String)
    case eCardCode
    case notRecognised

    init(text: String) {
        let result = classifyScan(text: text)
        switch result.kind {
        case .login: self = result.loginRequestId.map { .login(requestId: $0) } ?? .notRecognised
        case .eCardCode: self = .eCardCode
        case .malformedLogin, .unknown: self = .notRecognised
        }
    }
}

/// A claim a relying party asks for, in plain words; `openid` alone reads "only that it is you".
func claimWords(_ scopes: [ClaimScope]) -> [String] {
    var words: [String] = []
    if scopes.contains(.profile) { words.append(String(localized: "姓名")) }
    if scopes.contains(.idNumber) { words.append(String(localized: "身份证号")) }
    if scopes.contains(.socialSecurity) { words.append(String(localized: "社保卡状态")) }
    return words.isEmpty ? [String(localized: "只确认是您本人，不获得其他信息")] : words
}

func relyingPartyKindWords(_ kind: RelyingPartyKind) -> String {
    switch kind {
    case .website: return String(localized: "网站")
    case .counterPc: return String(localized: "服务窗口电脑")
    case .selfService: return String(localized: "自助服务机")
    }
}

func servicePointKindWords(_ kind: ServicePointKind) -> String {
    switch kind {
    case .hospital: return String(localized: "医院")
    case .pharmacy: return String(localized: "定点药店")
    case .governmentCounter: return String(localized: "政务服务窗口")
    case .hotel: return String(localized: "酒店")
    case .bank: return String(localized: "银行")
    case .school: return String(localized: "学校或考点")
    case .library: return String(localized: "图书馆")
    case .transit: return String(localized: "公交地铁")
    case .venue: return String(localized: "景区场馆")
    }
}

func disclosedFieldWords(_ field: DisclosedField) -> String {
    switch field {
    case .pseudonym: return String(localized: "本机构专用编号")
    case .name: return String(localized: "姓名")
    case .cardNumber: return String(localized: "社保卡号")
    case .insuranceRegion: return String(localized: "参保地")
    case .cardState: return String(localized: "社保卡状态")
    case .documentNumber: return String(localized: "身份证号")
    case .concession: return String(localized: "优待类别")
    }
}

/// A platform time (Unix seconds) as a date and time.
func moment(_ seconds: UInt64) -> String {
    Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(date: .long, time: .shortened)
}

/// 扫一扫: opens the scanner and routes what it read.
struct ScanScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    let scanner: PlatformScanner
    @State private var route: ScanRoute?

    var body: some View {
        if case let .login(requestId)? = route {
            LoginConsentScreen(requestId: requestId)
        } else {
            VStack(spacing: 24) {
                Group {
                    if scanner.scan == nil {
                        Text("这台手机暂时不能扫码，请到网点办理。")
                    } else if route == .eCardCode {
                        Text("这是电子社保卡二维码，请出示给工作人员扫，不用自己扫。")
                    } else if route == .notRecognised {
                        Text("这个二维码不能用来登录，请确认后再扫。")
                    } else {
                        Text("对准电脑或机器屏幕上的登录二维码。")
                    }
                }
                .font(.system(size: elder.bodySize))
                if let scan = scanner.scan {
                    BigButton(title: route == nil ? String(localized: "打开相机扫码") : String(localized: "再扫一次"),
                              systemImage: "qrcode.viewfinder") {
                        Task {
                            // Closing the camera without a scan leaves the screen as it was.
                            if let text = await scan() { route = ScanRoute(text: text) }
                        }
                    }
                }
            }
            .padding()
            .navigationTitle("扫一扫")
        }
    }
}

/// The consent screen: who asks, what they get, how long is left, for whom; then the PIN.
struct LoginConsentScreen: View {
    enum Outcome { case approved, denied, expired }

    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    let requestId: String
    @State private var request: LoginRequestView?
    @State private var mandates: [Delegation] = []
    @State private var onBehalfOf: String?
    @State private var secondsLeft: UInt64 = 0
    @State private var outcome: Outcome?
    @State private var askingPin = false
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            if let request {
                Section {
                    Text("\(request.relyingParty.name) 请求您用电子社保卡登录").font(.system(size: elder.titleSize, weight: .semibold))
                    Text(relyingPartyKindWords(request.relyingParty.kind))
                }
                Section("对方将获得：") {
                    ForEach(claimWords(request.scopes), id: \.self) { Text($0) }
                }
                switch outcome {
                case .approved?: Text("已同意，请回到电脑或机器上继续。").font(.system(size: elder.titleSize))
                case .denied?: Text("已拒绝，对方不会获得您的信息。").font(.system(size: elder.titleSize))
                case .expired?: Text("已超时，请在电脑或机器上刷新二维码后再扫。").font(.system(size: elder.titleSize))
                case nil:
                    Text("请在 \(countdownText(seconds: secondsLeft)) 内确认").font(.system(size: elder.titleSize)).monospacedDigit()
                    if !mandates.isEmpty {
                        // 为家人登录: oneself, or a relative under a mandate with the login scope.
                        Section("为谁登录") {
                            Picker("为谁登录", selection: $onBehalfOf) {
                                Text("我自己").tag(String?.none)
                                ForEach(mandates, id: \.delegationId) { mandate in
                                    Text("为家人登录：\(mandate.principalNameMasked)").tag(Optional(mandate.delegationId))
                                }
                            }
                            .pickerStyle(.inline)
                        }
                    }
                    BigButton(title: String(localized: "同意登录")) { askingPin = true }
                    BigButton(title: String(localized: "拒绝")) { Task { await deny() } }
                }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("扫码登录")
        .task { await load() }
        .onReceive(timer) { _ in tick() }
        .sheet(isPresented: $askingPin) {
            PinPrompt(title: String(localized: "输入电子社保卡密码，同意登录")) { pin in await approve(pin) }
                .environment(\.elderMode, elder)
        }
    }

    private func load() async {
        guard let loaded = await model.perform({ try await $0.loginRequest(requestId: requestId) }) else { return }
        request = loaded
        let accountId = model.client?.session()?.accountId
        mandates = (await model.perform { try await $0.mandates() } ?? []).filter { mandate in
            mandate.status == .active && mandate.scopes.contains(.login) && (accountId == nil || mandate.agentAccountId == accountId)
        }
        switch loaded.status {
        case .pending: outcome = nil
        case .approved, .completed: outcome = .approved
        case .denied: outcome = .denied
        case .expired: outcome = .expired
        }
        tick()
    }

    private func tick() {
        guard let request, let now = model.client?.trustedNow() else { return }
        secondsLeft = request.expiresAt > now ? request.expiresAt - now : 0
        if secondsLeft == 0 && outcome == nil { outcome = .expired }
    }

    private func approve(_ pin: String) async {
        guard outcome == nil else { return }
        let chosen = onBehalfOf
        if await model.perform({ try await $0.approveLogin(requestId: requestId, pin: pin, onBehalfOf: chosen) }) != nil {
            outcome = .approved
        }
    }

    private func deny() async {
        guard outcome == nil else { return }
        if await model.perform({ try await $0.denyLogin(requestId: requestId) }) != nil { outcome = .denied }
    }
}

/// 我的授权: the logins approved with this e-card, the ones in force first, each with 取消授权.
struct AuthorisationsScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var authorisations: [Authorisation] = []

    private var active: [Authorisation] {
        authorisations.filter { $0.revokedAt == nil }.sorted { $0.authorisedAt > $1.authorisedAt }
    }

    private var revoked: [Authorisation] {
        authorisations.filter { $0.revokedAt != nil }.sorted { $0.authorisedAt > $1.authorisedAt }
    }

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            if authorisations.isEmpty { Text("还没有用电子社保卡登录过。") }
            ForEach(active, id: \.authorisationId) { authorisation in
                VStack(alignment: .leading, spacing: 8) {
                    row(authorisation)
                    BigButton(title: String(localized: "取消授权")) {
                        Task {
                            await model.perform { try await $0.revokeAuthorisation(authorisationId: authorisation.authorisationId) }
                            await reload()
                        }
                    }
                }
            }
            ForEach(revoked, id: \.authorisationId) { authorisation in
                VStack(alignment: .leading, spacing: 8) {
                    row(authorisation)
                    Text("已于 \(moment(authorisation.revokedAt ?? 0)) 取消")
                }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("我的授权")
        .refreshable { await reload() }
        .task { await reload() }
    }

    @ViewBuilder private func row(_ authorisation: Authorisation) -> some View {
        Text(authorisation.relyingParty.name).font(.system(size: elder.titleSize))
        Text(relyingPartyKindWords(authorisation.relyingParty.kind))
        Text("授权时间：\(moment(authorisation.authorisedAt))")
        if !authorisation.forSelf { Text("为家人登录") }
    }

    private func reload() async {
        authorisations = await model.perform { try await $0.authorisations() } ?? authorisations
    }
}

/// 谁查看了我的信息: who looked up the person's code, by day, with 这不是我.
struct AccessRecordsScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var records: [AccessRecord] = []
    @State private var nextBefore: UInt64?
    @State private var reporting: AccessRecord?

    /// One China day of records, newest first.
    private struct Day: Identifiable {
        let id: Date
        let records: [AccessRecord]
        var title: String { id.formatted(date: .long, time: .omitted) }
    }

    private var days: [Day] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .current
        let grouped = Dictionary(grouping: records) { calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval($0.at))) }
        return grouped.keys.sorted(by: >).map { start in
            Day(id: start, records: grouped[start, default: []].sorted { $0.at > $1.at })
        }
    }

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            if records.isEmpty { Text("还没有机构查看过您的信息。") }
            ForEach(days) { day in
                Section(day.title) {
                    ForEach(day.records, id: \.recordId) { record in
                        VStack(alignment: .leading, spacing: 6) {
                            Text(record.operatorName).font(.system(size: elder.titleSize))
                            Text(servicePointKindWords(record.operatorKind))
                            if let location = record.location { Text("地点：\(location)") }
                            Text("时间：\(moment(record.at))")
                            Text("用途：\(purposeLabel(purpose: record.purpose, language: model.language))")
                            Text("获得的信息：\(record.disclosed.map(disclosedFieldWords).joined(separator: String(localized: "、")))")
                            if record.report != nil {
                                Text("已反馈，工作人员会核查。")
                            } else {
                                BigButton(title: String(localized: "这不是我")) { reporting = record }
                            }
                        }
                    }
                }
            }
            if nextBefore != nil {
                BigButton(title: String(localized: "查看更早的记录")) { Task { await loadMore() } }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("谁查看了我的信息")
        .refreshable { await reload() }
        .task { await reload() }
        .sheet(item: Binding(get: { reporting.map(ReportTarget.init) }, set: { reporting = $0?.record })) { target in
            AccessReportScreen(record: target.record) { reason, note in
                await model.perform { client in
                    _ = try await client.reportAccessRecord(recordId: target.record.recordId, reason: reason, note: note)
                    _ = try await client.processOutbox()
                }
                await reload()
            }
            .environment(\.elderMode, elder)
        }
    }

    private struct ReportTarget: Identifiable {
        let record: AccessRecord
        var id: String { record.recordId }
    }

    private func reload() async {
        guard let page = await model.perform({ try await $0.accessRecords(personId: nil, before: nil) }) else { return }
        records = page.records
        nextBefore = page.nextBefore
    }

    private func loadMore() async {
        guard let before = nextBefore,
              let page = await model.perform({ try await $0.accessRecords(personId: nil, before: before) }) else { return }
        let known = Set(records.map(\.recordId))
        records += page.records.filter { !known.contains($0.recordId) }
        nextBefore = page.nextBefore
    }
}

/// The report of one record: why (two plain choices) and an optional note, then send.
struct AccessReportScreen: View {
    @Environment(\.dismiss) private var dismiss
    @Environment(\.elderMode) private var elder
    let record: AccessRecord
    let send: (AccessReportReason, String?) async -> Void
    @State private var reason: AccessReportReason = .notMe
    @State private var note = ""

    var body: some View {
        VStack(spacing: 16) {
            Text("反馈：\(record.operatorName)").font(.system(size: elder.titleSize, weight: .semibold))
            Picker("原因", selection: $reason) {
                Text("我当时不在那里，有人用了我的码").tag(AccessReportReason.notMe)
                Text("我在那里，但没想到会查看我的信息").tag(AccessReportReason.unexpected)
            }
            .pickerStyle(.inline)
            TextField("补充说明（可不填）", text: $note, axis: .vertical)
                .textFieldStyle(.roundedBorder)
            BigButton(title: String(localized: "提交反馈")) {
                Task {
                    let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
                    await send(reason, trimmed.isEmpty ? nil : String(trimmed.prefix(500)))
                    dismiss()
                }
            }
            BigButton(title: String(localized: "取消")) { dismiss() }
        }
        .font(.system(size: elder.bodySize))
        .padding()
    }
}
