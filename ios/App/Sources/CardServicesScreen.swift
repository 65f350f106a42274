// Card business: apply (申领), track progress (制卡进度) with the next step
// the core derives, replace (补换) and report loss / release (挂失 / 解挂).
// Which buttons appear is the core's decision (flow.actions, loss flow).
import Ecard
import PhotosUI
import SwiftUI

struct CardServicesScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var flows: [ApplicationFlow] = []

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            Section("我的卡") {
                ForEach(model.snapshot?.cards ?? [], id: \.cardId) { card in
                    NavigationLink(destination: LossScreen(card: card)) {
                        VStack(alignment: .leading) {
                            Text("\(card.holderNameMasked) \(card.cardNumberMasked)").font(.system(size: elder.titleSize))
                            Text(card.suspendedHere ? LocalizedStringKey("已挂失，暂停使用") : LocalizedStringKey("正常")).font(.system(size: elder.bodySize))
                        }
                        .frame(minHeight: elder.touchTarget, alignment: .leading)
                    }
                }
            }
            Section("办理进度") {
                ForEach(flows, id: \.application.applicationId) { flow in
                    FlowRow(flow: flow) { await reload() }
                }
            }
            Section {
                NavigationLink("申领社保卡") { ApplyScreen() }
                    .frame(minHeight: elder.touchTarget)
                NavigationLink("登录设备与新设备确认") { DevicesScreen() }
                    .frame(minHeight: elder.touchTarget)
                NavigationLink("我的授权") { AuthorisationsScreen() }
                    .frame(minHeight: elder.touchTarget)
                NavigationLink("谁查看了我的信息") { AccessRecordsScreen() }
                    .frame(minHeight: elder.touchTarget)
            }
            SelfServiceLinks()
        }
        .navigationTitle("社保卡业务")
        .refreshable { await reload() }
        .task { await reload() }
    }

    private func reload() async {
        flows = await model.perform { try await $0.applications() } ?? flows
    }
}

/// One application: its stages with the core's labels and the actions it offers now.
struct FlowRow: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    let flow: ApplicationFlow
    let changed: () async -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text(applicationKindLabel(kind: flow.application.kind, language: model.client?.language() ?? .zhCn))
                .font(.system(size: elder.titleSize, weight: .semibold))
            Text(flow.progress.map(\.label).joined(separator: " → "))
                .font(.system(size: elder.bodySize))
            if flow.application.instantIssue && (flow.application.state == .submitted || flow.application.state == .paid) {
                // 即时制卡: no production days; the card is made at the outlet.
                Text("请到网点办理，现场制卡").font(.system(size: elder.bodySize, weight: .semibold))
            }
            ForEach(flow.actions, id: \.self) { action in
                BigButton(title: title(action)) { Task { await act(action) } }
            }
        }
        .padding(.vertical, 4)
    }

    private func title(_ action: ApplicationAction) -> String {
        switch action {
        case .pay: return String(localized: "缴费 \(formatFen(fen: flow.application.feeFen))")
        case .cancel: return String(localized: "撤销申请")
        case .confirmReceipt: return String(localized: "确认已领卡")
        case .activate: return String(localized: "启用社保功能")
        case .resubmitPhoto: return String(localized: "重新上传照片")
        }
    }

    /// The core decides what an action calls (the amount the step asks for, the card produced).
    private func act(_ action: ApplicationAction) async {
        guard action != .resubmitPhoto else { return } // handled by the photo screen
        let flow = flow
        await model.perform { try await $0.act(flow: flow, action: action, photoJpeg: nil) }
        await changed()
    }
}

/// 申领: photo, bank, phone and where to collect the card; at an outlet that
/// makes cards on the spot (and where the rules offer it), 即时制卡.
struct ApplyScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @Environment(\.dismiss) private var dismiss
    var personId: String? = nil
    @State private var photoItem: PhotosPickerItem?
    @State private var photo: Data?
    @State private var bank = "icbc"
    @State private var phone = ""
    @State private var outletId = ""
    @State private var instantIssue = false
    /// The outlet picker lists only outlets that make cards on the spot.
    @State private var instantOnly = false

    var body: some View {
        Form {
            NoticeView(notice: model.notice)
            PhotosPicker(photo == nil ? LocalizedStringKey("选择证件照片") : LocalizedStringKey("已选择照片"), selection: $photoItem, matching: .images)
                .frame(minHeight: elder.touchTarget)
            Picker("联名银行", selection: $bank) {
                ForEach(banks, id: \.code) { Text($0.name).tag($0.code) }
            }
            .frame(minHeight: elder.touchTarget)
            TextField("手机号码", text: $phone)
                .keyboardType(.phonePad)
                .frame(minHeight: elder.touchTarget)
                .overlay(alignment: .bottom) { fieldError("phone") }
            if instantOffered {
                Toggle("只看可即时制卡的网点", isOn: $instantOnly)
                    .frame(minHeight: elder.touchTarget)
            }
            Picker("领卡网点", selection: $outletId) {
                ForEach(outlets, id: \.outlet.id) { Text($0.outlet.name).tag($0.outlet.id) }
            }
            .frame(minHeight: elder.touchTarget)
            if instantOffered && outletOffersInstantIssue {
                Toggle("即时制卡（到网点立等可取）", isOn: $instantIssue)
                    .frame(minHeight: elder.touchTarget)
            }
            BigButton(title: String(localized: "提交申请")) { Task { await submit() } }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("申领社保卡")
        .onChange(of: photoItem) { item in
            Task { photo = try? await item?.loadTransferable(type: Data.self) }
        }
        .onChange(of: outletId) { _ in
            if !outletOffersInstantIssue { instantIssue = false }
        }
    }

    /// Whether the region's rules offer instant issue (即时制卡).
    private var instantOffered: Bool {
        guard let client = model.client, let rules = try? client.rules() else { return false }
        return rules.instantIssue.offered
    }

    /// Whether the chosen pickup outlet makes cards on the spot.
    private var outletOffersInstantIssue: Bool {
        outlets.first { $0.outlet.id == outletId }?.outlet.services.contains(.instantIssue) ?? false
    }

    /// The co-branded banks of the region's rules.
    private var banks: [Bank] {
        guard let client = model.client, let rules = try? client.rules() else { return [] }
        return rules.banks
    }

    private var outlets: [OutletHit] {
        let service: OutletService = instantOnly && instantOffered ? .instantIssue : .cardPickup
        return (try? model.client?.nearestOutlets(query: OutletQuery(latitude: 28.6829, longitude: 115.8579, limit: 10, service: service, openNowOnly: false))) ?? []
    }

    @ViewBuilder private func fieldError(_ field: String) -> some View {
        if model.notice?.field == field { Rectangle().fill(Color.red).frame(height: 2) }
    }

    private func submit() async {
        let form = NewCardForm(personId: personId, photoJpeg: photo ?? Data(), bank: bank, phone: phone,
                               delivery: .pickup(outletId: outletId),
                               instantIssue: instantIssue && instantOffered && outletOffersInstantIssue)
        if await model.perform({ try await $0.submitApplication(form: form, draftId: nil) }) != nil { dismiss() }
    }
}

/// 挂失 / 解挂 / 补换 of one card: what the rules allow is in the loss flow.
struct LossScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    let card: CardView
    @State private var flow: LossFlow?
    @State private var releasing = false

    var body: some View {
        VStack(spacing: 16) {
            NoticeView(notice: model.notice)
            if let flow {
                if flow.canReportTemporary {
                    BigButton(title: String(localized: "临时挂失")) { Task { await run { try await $0.reportLoss(cardId: card.cardId, kind: .temporary) } } }
                }
                if flow.canReportFormal {
                    BigButton(title: String(localized: "正式挂失")) { Task { await run { try await $0.reportLoss(cardId: card.cardId, kind: .formal) } } }
                }
                if flow.canReleaseOnline {
                    // 解挂 needs the e-card PIN.
                    BigButton(title: String(localized: "解除挂失")) { releasing = true }
                } else if flow.card.status == .temporarilyLost {
                    Text("请携带身份证到社保卡服务网点办理解挂。").font(.system(size: elder.bodySize))
                }
                if flow.replacementNeeded || flow.card.status == .active {
                    BigButton(title: String(localized: "补换卡（网点领取）")) { Task { await replace() } }
                }
            }
            Spacer()
        }
        .padding()
        .navigationTitle(card.cardNumberMasked)
        .task { load() }
        .sheet(isPresented: $releasing) {
            PinPrompt(title: String(localized: "输入电子社保卡密码以解除挂失")) { pin in
                await run { try await $0.releaseLoss(cardId: card.cardId, pin: pin) }
            }
            .environment(\.elderMode, elder)
        }
    }

    private func load() {
        do { flow = try model.client?.lossFlow(cardId: card.cardId) } catch { model.notice = Notice(error) }
    }

    private func run(_ work: (EcardClient) async throws -> Submission) async {
        await model.perform(work)
        load()
    }

    private func replace() async {
        guard let outlet = try? model.client?.nearestOutlets(query: OutletQuery(latitude: 28.6829, longitude: 115.8579, limit: 1, service: .replace, openNowOnly: false)).first else { return }
        let form = ReplacementForm(cardId: card.cardId, kind: .plain, bank: nil, photoJpeg: nil,
                                   delivery: .pickup(outletId: outlet.outlet.id))
        await run { try await $0.submitReplacement(form: form, draftId: nil) }
    }
}
