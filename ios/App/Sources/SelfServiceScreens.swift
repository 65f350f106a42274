// Social-insurance self-service: 权益记录 (by year and insurance; a year
// opens its months), 参保证明 (request, list, open or share through the share
// sheet, check by code), 待遇资格认证 (with 为家人认证 for a relative this
// account holds an eligibility mandate for, by the app's face check) and
// 我的收入 / 金融功能挂失 (payments, the bank function's loss report and the
// bank's hotline). The core fetches, caches and decides; these lay it out.
import Ecard
import SwiftUI

/// `¥1,234.56` from fen, digits grouped by three (as the Android models).
func yuan(_ fen: UInt64) -> String {
    let whole = String(fen / 100)
    var grouped = ""
    for (index, digit) in whole.reversed().enumerated() {
        if index > 0 && index % 3 == 0 { grouped.append(",") }
        grouped.append(digit)
    }
    return "¥" + String(grouped.reversed()) + "." + String(format: "%02d", Int(fen % 100))
}

/// China's calendar: due dates and payment days are China days.
private var chinaCalendar: Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
    return calendar
}

/// Days from the China day of `now` to `day` (`YYYY-MM-DD`): 0 on the day, negative after it.
func daysLeft(_ day: String?, now: UInt64) -> Int? {
    guard let day else { return nil }
    let parts = day.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3,
          let due = chinaCalendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
    let today = chinaCalendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(now)))
    return chinaCalendar.dateComponents([.day], from: today, to: due).day
}

/// 离线 / 可能不是最新, in place.
struct FreshnessView: View {
    @Environment(\.elderMode) private var elder
    let freshness: Freshness

    var body: some View {
        if freshness.offline {
            Label("离线：显示的是上次获取的内容", systemImage: "wifi.slash").font(.system(size: elder.bodySize)).foregroundStyle(.orange)
        }
        if freshness.stale {
            Label("可能不是最新", systemImage: "clock.badge.exclamationmark").font(.system(size: elder.bodySize)).foregroundStyle(.orange)
        }
    }
}

func insuranceName(_ insurance: Insurance) -> String {
    switch insurance {
    case .pension: return String(localized: "养老保险")
    case .medical: return String(localized: "医疗保险")
    case .unemployment: return String(localized: "失业保险")
    case .workInjury: return String(localized: "工伤保险")
    }
}

func eligibilityName(_ state: EligibilityState) -> String {
    switch state {
    case .notRequired: return String(localized: "无需认证")
    case .certified: return String(localized: "已认证")
    case .due: return String(localized: "待认证")
    case .overdue: return String(localized: "已逾期")
    case .suspended: return String(localized: "已暂停发放")
    }
}

func paymentSourceName(_ source: PaymentSource) -> String {
    switch source {
    case .pension: return String(localized: "养老金")
    case .subsidy: return String(localized: "惠民惠农补贴")
    case .wages: return String(localized: "工资")
    }
}

/// The entries of the self-service screens (in 社保卡业务).
struct SelfServiceLinks: View {
    @Environment(\.elderMode) private var elder

    var body: some View {
        Section("社保服务") {
            NavigationLink("权益记录") { RecordsScreen() }.frame(minHeight: elder.touchTarget)
            NavigationLink("参保证明") { CertificatesScreen() }.frame(minHeight: elder.touchTarget)
            NavigationLink("待遇资格认证") { EligibilityScreen() }.frame(minHeight: elder.touchTarget)
            NavigationLink("我的收入") { MoneyScreen(lossOnly: false) }.frame(minHeight: elder.touchTarget)
            NavigationLink("金融功能挂失") { MoneyScreen(lossOnly: true) }.frame(minHeight: elder.touchTarget)
        }
    }
}

/// 权益记录: newest year first, each with both shares and the months per insurance.
struct RecordsScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    var personId: String? = nil
    @State private var view: RecordsView?

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            if let view {
                Section {
                    FreshnessView(freshness: view.freshness)
                    Text("记录截至 \(view.through)").font(.system(size: elder.bodySize))
                    if let pension = view.pension {
                        Text("养老金首月 \(yuan(pension.monthly))").font(.system(size: elder.titleSize))
                    }
                    if view.years.isEmpty { Text("暂无缴费记录").font(.system(size: elder.bodySize)) }
                }
                ForEach(view.years, id: \.year) { year in
                    NavigationLink { RecordYearScreen(personId: personId, year: year) } label: {
                        VStack(alignment: .leading, spacing: 4) {
                            Text(verbatim: String(year.year)).font(.system(size: elder.titleSize, weight: .semibold))
                            Text("个人缴费 \(yuan(year.personal)) · 单位缴费 \(yuan(year.employer))").font(.system(size: elder.bodySize))
                            ForEach(year.insurances, id: \.insurance) { line in
                                Text("\(insuranceName(line.insurance))：\(Int(line.months)) 个月").font(.system(size: elder.bodySize))
                            }
                            if year.monthsOwed > 0 {
                                Text("欠缴 \(Int(year.monthsOwed)) 个月").font(.system(size: elder.bodySize)).foregroundStyle(.red)
                            }
                        }
                        .frame(minHeight: elder.touchTarget, alignment: .leading)
                    }
                }
            }
        }
        .navigationTitle("社保权益记录")
        .refreshable { await reload() }
        .task { await reload() }
    }

    private func reload() async {
        let personId = personId
        view = await model.perform { try await $0.insuranceRecords(personId: personId) }
            ?? (try? model.client?.insuranceRecordsCached(personId: personId)) ?? view
    }
}

/// A year's months, of all insurances or one (from the record kept on this phone).
struct RecordYearScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    let personId: String?
    let year: RecordYear
    @State private var insurance: Insurance?

    var body: some View {
        List {
            Picker("险种", selection: $insurance) {
                Text("全部险种").tag(Insurance?.none)
                ForEach(year.insurances, id: \.insurance) { line in
                    Text(insuranceName(line.insurance)).tag(Insurance?.some(line.insurance))
                }
            }
            .frame(minHeight: elder.touchTarget)
            ForEach(months, id: \.self) { month in
                VStack(alignment: .leading, spacing: 4) {
                    Text("\(month.month) · \(insuranceName(month.insurance)) · \(month.paid ? String(localized: "已缴") : String(localized: "欠缴"))")
                        .font(.system(size: elder.titleSize))
                    if let employer = month.employerName { Text(verbatim: employer).font(.system(size: elder.bodySize)) }
                    Text("基数 \(yuan(month.base)) · 个人 \(yuan(month.personal)) · 单位 \(yuan(month.employer))").font(.system(size: elder.bodySize))
                }
            }
        }
        .navigationTitle(Text(verbatim: String(year.year)))
    }

    private var months: [MonthLine] {
        (try? model.client?.insuranceRecordMonths(personId: personId, year: year.year, insurance: insurance)) ?? []
    }
}

/// 参保证明: request, list, open or share (the core's one plain copy), check by code.
struct CertificatesScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    var personId: String? = nil
    @State private var certificates: [CertificateView] = []
    @State private var shared: [String: URL] = [:]
    @State private var code = ""
    @State private var check: CertificateCheck?

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            Section {
                BigButton(title: String(localized: "开具参保证明")) { Task { await request(.participation, insurance: nil) } }
                BigButton(title: String(localized: "开具缴费证明")) { Task { await request(.contributionRecord, insurance: .pension) } }
            }
            Section("我的证明") {
                if certificates.isEmpty { Text("还没有开具过证明").font(.system(size: elder.bodySize)) }
                ForEach(certificates, id: \.certificate.certificateId) { view in
                    CertificateRow(view: view, shared: shared[view.certificate.certificateId]) {
                        Task { await prepare(view.certificate.certificateId) }
                    }
                }
            }
            Section("核验证明") {
                TextField("证明上的验证码", text: $code).frame(minHeight: elder.touchTarget)
                BigButton(title: String(localized: "核验证明")) { Task { await checkCode() } }
                if let check {
                    switch check.state {
                    case .valid: Text("真实有效：\(check.nameMasked ?? "")").font(.system(size: elder.titleSize))
                    case .expired: Text("证明已过期").font(.system(size: elder.titleSize))
                    case .unknown: Text("查无此证明").font(.system(size: elder.titleSize))
                    }
                }
            }
        }
        .navigationTitle("参保证明")
        .refreshable { await reload() }
        .task { await reload() }
    }

    private func reload() async {
        let personId = personId
        certificates = await model.perform { try await $0.certificates(personId: personId) } ?? certificates
    }

    private func request(_ kind: CertificateKind, insurance: Insurance?) async {
        let request = CertificateRequest(personId: personId, kind: kind, insurance: insurance, fromYear: nil, toYear: nil)
        if await model.perform({ try await $0.requestCertificate(request: request) }) != nil { await reload() }
    }

    /// The path of the core's plain copy, for the share sheet.
    private func prepare(_ certificateId: String) async {
        if let path = await model.perform({ try await $0.certificateFile(certificateId: certificateId) }) {
            // One plain copy at a time: an earlier one is gone.
            shared = [certificateId: URL(fileURLWithPath: path)]
        }
    }

    private func checkCode() async {
        let code = code.trimmingCharacters(in: .whitespaces)
        check = await model.perform { try await $0.checkCertificate(code: code) }
    }
}

/// One certificate: what it covers, its check code and validity; open or share once prepared.
struct CertificateRow: View {
    @Environment(\.elderMode) private var elder
    let view: CertificateView
    let shared: URL?
    let prepare: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            let certificate = view.certificate
            Text(certificate.kind == .participation ? LocalizedStringKey("参保证明") : LocalizedStringKey("缴费证明"))
                .font(.system(size: elder.titleSize, weight: .semibold))
            if let insurance = certificate.insurance { Text(verbatim: insuranceName(insurance)).font(.system(size: elder.bodySize)) }
            Text("验证码：\(grouped(certificate.verificationCode))").font(.system(size: elder.bodySize))
            if view.expired {
                Text("已过期").font(.system(size: elder.bodySize)).foregroundStyle(.red)
            } else {
                Text("有效期至 \(day(certificate.validUntil))").font(.system(size: elder.bodySize))
            }
            if let proxy = certificate.requestedByName { Text("由 \(proxy) 代为开具").font(.system(size: elder.bodySize)) }
            if let shared {
                ShareLink(item: shared) { Label("打开或分享", systemImage: "square.and.arrow.up") }
                    .font(.system(size: elder.titleSize))
                    .frame(minHeight: elder.touchTarget)
            } else {
                BigButton(title: String(localized: "打开或分享"), systemImage: "doc.richtext", action: prepare)
            }
        }
        .padding(.vertical, 4)
    }

    /// Read aloud or typed by a checker: in groups of four.
    private func grouped(_ code: String) -> String {
        stride(from: 0, to: code.count, by: 4).map { start in
            let from = code.index(code.startIndex, offsetBy: start)
            return String(code[from..<code.index(from, offsetBy: min(4, code.count - start))])
        }.joined(separator: "-")
    }
}

/// A relative this account holds an eligibility mandate for, and their standing.
struct Relative: Identifiable {
    let mandate: Delegation
    let view: EligibilityView
    var id: String { mandate.delegationId }
}

/// Who is certified: oneself (no person id) or a relative.
struct Pensioner: Identifiable {
    let personId: String?
    let nameMasked: String?
    var id: String { personId ?? "" }
}

/// 待遇资格认证: one's own standing and, under 为家人认证, each relative with an eligibility mandate.
struct EligibilityScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var own: EligibilityView?
    @State private var family: [Relative] = []
    @State private var certifying: Pensioner?

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            if let own {
                Section("我的认证") {
                    EligibilityRow(view: own, now: now)
                    if own.actionNeeded {
                        BigButton(title: String(localized: "刷脸认证"), systemImage: "faceid") {
                            certifying = Pensioner(personId: nil, nameMasked: nil)
                        }
                    }
                }
            }
            if !family.isEmpty {
                Section("为家人认证") {
                    ForEach(family) { relative in
                        let mandate = relative.mandate
                        let view = relative.view
                        VStack(alignment: .leading) {
                            Text(verbatim: mandate.principalNameMasked).font(.system(size: elder.titleSize, weight: .semibold))
                            EligibilityRow(view: view, now: now)
                            BigButton(title: String(localized: "为 \(mandate.principalNameMasked) 刷脸认证"), systemImage: "faceid") {
                                certifying = Pensioner(personId: mandate.principalPersonId, nameMasked: mandate.principalNameMasked)
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("待遇资格认证")
        .refreshable { await reload() }
        .task { await reload() }
        .sheet(item: $certifying) { pensioner in
            CertifyForm(pensioner: pensioner) { await reload() }
        }
    }

    private var now: UInt64 { model.client?.trustedNow() ?? UInt64(Date().timeIntervalSince1970) }

    private func reload() async {
        own = await model.perform { try await $0.eligibility(personId: nil) } ?? own
        guard let client = model.client else { return }
        let accountId = client.session()?.accountId
        let mandates = (try? await client.mandates()) ?? []
        var rows: [Relative] = []
        for mandate in mandates where mandate.status == .active && mandate.scopes.contains(.eligibility) && mandate.agentAccountId == accountId {
            if let view = try? await client.eligibility(personId: mandate.principalPersonId) { rows.append(Relative(mandate: mandate, view: view)) }
        }
        family = rows
    }
}

/// The state in words, the due date and days left, withheld months, how fresh.
struct EligibilityRow: View {
    @Environment(\.elderMode) private var elder
    let view: EligibilityView
    let now: UInt64

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(verbatim: eligibilityName(view.status.state)).font(.system(size: elder.titleSize))
                .foregroundStyle(view.actionNeeded ? Color.red : Color.primary)
            if let dueBy = view.status.dueBy { Text("请在 \(dueBy) 前认证").font(.system(size: elder.bodySize)) }
            if let days = daysLeft(view.status.dueBy, now: now) {
                if days >= 0 {
                    Text("还剩 \(days) 天").font(.system(size: elder.bodySize))
                } else {
                    Text("已超过 \(-days) 天").font(.system(size: elder.bodySize))
                }
            }
            if !view.status.withheldMonths.isEmpty {
                Text("认证后补发 \(view.status.withheldMonths.count) 个月养老金").font(.system(size: elder.bodySize))
            }
            if view.status.lastCertification?.helperAccountId != nil {
                Text("上次由家人协助认证").font(.system(size: elder.bodySize))
            }
            FreshnessView(freshness: view.freshness)
        }
    }
}

/// The pensioner's name and ID number, then the face check of the person in front of the phone.
struct CertifyForm: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @Environment(\.dismiss) private var dismiss
    let pensioner: Pensioner
    let done: () async -> Void
    @State private var name = ""
    @State private var idNumber = ""

    var body: some View {
        Form {
            NoticeView(notice: model.notice)
            if pensioner.personId != nil {
                Text("请家人本人正对手机屏幕。输入家人的姓名和身份证号码：").font(.system(size: elder.bodySize))
            }
            TextField("姓名", text: $name).frame(minHeight: elder.touchTarget)
            TextField("身份证号码", text: $idNumber).frame(minHeight: elder.touchTarget)
            BigButton(title: String(localized: "刷脸认证"), systemImage: "faceid") { Task { await certify() } }
        }
        .font(.system(size: elder.bodySize))
        .onAppear {
            // One's own number, filled in.
            if pensioner.personId == nil, let number = try? model.client?.revealIdNumber() { idNumber = number }
        }
    }

    private func certify() async {
        let identity = PersonIdentity(idType: "resident_id", idNumber: idNumber.trimmingCharacters(in: .whitespaces),
                                      name: name.trimmingCharacters(in: .whitespaces))
        let personId = pensioner.personId
        let face = model.faceCheck
        if await model.perform({ try await $0.certifyEligibility(personId: personId, pensioner: identity, face: face) }) != nil {
            await done()
            dismiss()
        }
    }
}

/// 我的收入 / 待遇发放 (payments) or, with `lossOnly`, 金融功能挂失 of the holder's cards.
struct MoneyScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    let lossOnly: Bool
    @State private var payments: [Payment] = []
    @State private var nextBefore: UInt64?
    @State private var accounts: [FinancialAccountView] = []
    @State private var lossReport: (cardId: String, submission: Submission)?

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            ForEach(accounts, id: \.account.cardId) { view in
                AccountSection(view: view, queued: queued(view.account.cardId),
                               report: { Task { await report(view.account.cardId) } },
                               retry: { Task { await retry() } })
            }
            if !lossOnly {
                Section("待遇发放") {
                    if payments.isEmpty { Text("暂无到账记录").font(.system(size: elder.bodySize)) }
                    ForEach(payments, id: \.paymentId) { payment in
                        VStack(alignment: .leading, spacing: 4) {
                            HStack {
                                Text(verbatim: paymentSourceName(payment.source)).font(.system(size: elder.titleSize))
                                Spacer()
                                Text(verbatim: yuan(payment.amountFen)).font(.system(size: elder.titleSize, weight: .semibold))
                            }
                            Text(verbatim: payment.programme).font(.system(size: elder.bodySize))
                            Text("\(payment.paidOn) 到账 · \(payment.payer)").font(.system(size: elder.bodySize))
                            if payment.months.count > 1 {
                                Text("补发月份：\(payment.months.joined(separator: "、"))").font(.system(size: elder.bodySize))
                            }
                        }
                    }
                    if let nextBefore {
                        BigButton(title: String(localized: "查看更早的记录")) { Task { await more(nextBefore) } }
                    }
                }
            }
        }
        .navigationTitle(lossOnly ? LocalizedStringKey("金融功能挂失") : LocalizedStringKey("我的收入"))
        .refreshable { await reload() }
        .task { await reload() }
    }

    private func queued(_ cardId: String) -> Bool {
        guard let lossReport, lossReport.cardId == cardId else { return false }
        return lossReport.submission.state != .done
    }

    private var holderCards: [String] {
        (model.snapshot?.cards ?? []).filter { $0.role == .holder }.map(\.cardId)
    }

    private func reload() async {
        if let page = await model.perform({ try await $0.payments(personId: nil, before: nil) }) {
            payments = page.payments
            nextBefore = page.nextBefore
        }
        guard let client = model.client else { return }
        var views: [FinancialAccountView] = []
        for cardId in holderCards {
            if let view = (try? await client.financialAccount(cardId: cardId)) ?? (try? client.financialAccountCached(cardId: cardId)) {
                views.append(view)
            }
        }
        accounts = views
    }

    private func more(_ before: UInt64) async {
        if let page = await model.perform({ try await $0.payments(personId: nil, before: before) }) {
            payments += page.payments.filter { payment in !payments.contains { $0.paymentId == payment.paymentId } }
            nextBefore = page.nextBefore
        }
    }

    private func report(_ cardId: String) async {
        if let submission = await model.perform({ try await $0.reportFinancialLoss(cardId: cardId) }) {
            lossReport = (cardId, submission)
            await reload()
        }
    }

    private func retry() async {
        guard let pending = lossReport else { return }
        if let submission = await model.perform({ try await $0.retrySubmission(outboxId: pending.submission.outboxId) }) {
            lossReport = (pending.cardId, submission)
            await reload()
        }
    }
}

/// A card's bank function: its state, 金融功能挂失 and the bank's hotline to call.
struct AccountSection: View {
    @Environment(\.elderMode) private var elder
    let view: FinancialAccountView
    let queued: Bool
    let report: () -> Void
    let retry: () -> Void

    var body: some View {
        Section {
            let account = view.account
            Text(verbatim: "\(account.bank.name) \(account.accountMasked)").font(.system(size: elder.titleSize, weight: .semibold))
            switch account.state {
            case .active: Text("银行账户正常").font(.system(size: elder.bodySize))
            case .lossReported: Text("已挂失，请致电银行完成挂失").font(.system(size: elder.bodySize)).foregroundStyle(.red)
            case .closed: Text("银行账户已注销").font(.system(size: elder.bodySize))
            }
            FreshnessView(freshness: view.freshness)
            if queued {
                Text("已保存，联网后自动提交").font(.system(size: elder.bodySize))
                BigButton(title: String(localized: "再次提交"), action: retry)
            } else if account.state == .active {
                Text("只冻结社保卡的银行账户功能，社保功能和电子社保卡照常使用。挂失后还须致电银行完成。").font(.system(size: elder.bodySize))
                BigButton(title: String(localized: "挂失银行账户功能"), action: report)
            }
            if let hotline = account.bank.hotline {
                Text("银行客服电话：\(hotline)").font(.system(size: elder.titleSize))
                if (account.state == .lossReported || queued), let url = URL(string: "tel:\(hotline)") {
                    Link(destination: url) { Label("拨打 \(hotline)", systemImage: "phone") }
                        .font(.system(size: elder.titleSize))
                        .frame(minHeight: elder.touchTarget)
                }
            }
        }
    }
}
