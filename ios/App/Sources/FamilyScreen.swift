// Family (亲情服务): guardianship of a child (with the birth certificate or
// household register) and acting for an elderly relative (declaring the
// relationship; the relative consents in their app, at a counter, or by a
// face check on this phone); both need the e-card PIN. The codes of the
// people acted for. For a child under guardianship: the e-card on the
// child's own phone (the guardian's consent) and the child's PIN, which the
// region's rules reserve to the guardian; and 出生一件事 (BirthScreen).
import Ecard
import SwiftUI

struct FamilyScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var mandates: [Delegation] = []
    @State private var kind: DelegationKind = .familyProxy
    @State private var name = ""
    @State private var idNumber = ""
    @State private var evidenceNumber = ""
    @State private var relationship: Relationship = .child
    @State private var asking = false
    /// A guardian's act for a ward waiting for the guardian's PIN.
    @State private var wardAct: WardAct?
    /// The ward whose new PIN is being entered.
    @State private var wardPin: Ward?

    /// A ward of a guardian mandate.
    struct Ward: Identifiable {
        let id: String
        let name: String
    }

    /// A guardian's act for a ward, confirmed with the guardian's own e-card PIN.
    struct WardAct: Identifiable {
        let id = UUID()
        let title: String
        let act: (EcardClient, String) async throws -> Void
    }

    var body: some View {
        Form {
            NoticeView(notice: model.notice)
            Section("我代办的家人") {
                ForEach(mandates, id: \.delegationId) { mandate in
                    VStack(alignment: .leading) {
                        Text(mandate.principalNameMasked).font(.system(size: elder.titleSize))
                        Text(status(mandate.status)).font(.system(size: elder.bodySize))
                        if mandate.status == .pendingConsent && mandate.kind == .familyProxy && !idNumber.isEmpty {
                            // 足不出户: the relative, beside this phone, consents by a face check.
                            BigButton(title: String(localized: "请家人本人刷脸同意"), systemImage: "faceid") { Task { await consentByFace(mandate) } }
                        }
                        if mandate.kind == .guardian && mandate.status == .active {
                            WardControls(mandate: mandate, eCardSwitch: wardECardByConsent, allowECard: { allowed in
                                wardAct = WardAct(title: String(localized: "输入电子社保卡密码以确认")) { client, pin in
                                    _ = try await client.setWardECard(delegationId: mandate.delegationId, allowed: allowed, pin: pin)
                                }
                            }, setPin: { wardPin = Ward(id: mandate.delegationId, name: mandate.principalNameMasked) })
                        }
                    }
                    .frame(minHeight: elder.touchTarget, alignment: .leading)
                }
                ForEach(principalCards, id: \.cardId) { card in
                    NavigationLink("出示 \(card.holderNameMasked) 的电子社保卡") { CodeScreen(cardId: card.cardId) }
                        .frame(minHeight: elder.touchTarget)
                }
            }
            Section {
                NavigationLink("出生一件事") { BirthScreen() }
                    .frame(minHeight: elder.touchTarget)
                if mandates.contains(where: { $0.status == .active && $0.scopes.contains(.eligibility) }) {
                    // 为家人认证: the relative's yearly pension eligibility check, with their face on this phone.
                    NavigationLink("为家人认证") { EligibilityScreen() }
                        .frame(minHeight: elder.touchTarget)
                }
            }
            Section("添加家人") {
                Picker("关系", selection: $kind) {
                    Text("为长辈代办").tag(DelegationKind.familyProxy)
                    Text("监护子女").tag(DelegationKind.guardian)
                }
                .pickerStyle(.segmented)
                .frame(minHeight: elder.touchTarget)
                TextField("姓名", text: $name).frame(minHeight: elder.touchTarget)
                TextField("身份证号码", text: $idNumber).frame(minHeight: elder.touchTarget)
                if kind == .guardian {
                    TextField("出生医学证明编号", text: $evidenceNumber).frame(minHeight: elder.touchTarget)
                } else {
                    Picker("与家人的关系", selection: $relationship) {
                        Text("子女").tag(Relationship.child)
                        Text("配偶").tag(Relationship.spouse)
                        Text("父母").tag(Relationship.parent)
                        Text("孙子女").tag(Relationship.grandchild)
                        Text("兄弟姐妹").tag(Relationship.sibling)
                        Text("其他亲属").tag(Relationship.otherRelative)
                    }
                    .frame(minHeight: elder.touchTarget)
                }
                // Acting for someone needs the e-card PIN.
                BigButton(title: String(localized: "提交")) { asking = true }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("亲情服务")
        .task { await reload() }
        .sheet(isPresented: $asking) {
            PinPrompt(title: String(localized: "输入电子社保卡密码以提交")) { pin in await request(pin: pin) }
                .environment(\.elderMode, elder)
        }
        .sheet(item: $wardAct) { pending in
            PinPrompt(title: pending.title) { pin in
                await model.perform { try await pending.act($0, pin) }
                await reload()
            }
            .environment(\.elderMode, elder)
        }
        .sheet(item: $wardPin) { ward in
            WardPinSheet(wardName: ward.name) { newPin, pin in
                await model.perform { try await $0.setWardPin(delegationId: ward.id, newPin: newPin, pin: pin) }
            }
            .environment(\.elderMode, elder)
        }
    }

    /// Whether the region lets a guardian allow the e-card on the child's own phone.
    private var wardECardByConsent: Bool {
        guard let client = model.client, let rules = try? client.rules() else { return false }
        return rules.minors.eCardOnOwnPhoneWithConsent
    }

    private var principalCards: [CardView] {
        (model.snapshot?.cards ?? []).filter { $0.role != .holder }
    }

    private func status(_ status: DelegationStatus) -> String {
        switch status {
        case .pendingConsent: return String(localized: "等待对方同意")
        case .active: return String(localized: "已生效")
        case .revoked: return String(localized: "已解除")
        case .expired: return String(localized: "已到期")
        }
    }

    private func reload() async {
        mandates = await model.perform { try await $0.mandates() } ?? mandates
    }

    private func request(pin: String) async {
        let person = PersonIdentity(idType: "resident_id", idNumber: idNumber, name: name)
        let evidence = kind == .guardian ? Evidence(kind: "birth_certificate", number: evidenceNumber) : nil
        // A relative's mandate also covers what a helper does for an elder: 为家人认证 and their records and certificates.
        let scopes: [Scope] = kind == .guardian ? [.apply, .track, .showCode, .reportLoss] : [.showCode, .track, .reportLoss, .eligibility, .records]
        let declared: Relationship? = kind == .familyProxy ? relationship : nil
        await model.perform {
            try await $0.requestMandate(kind: kind, principal: person, evidence: evidence, scopes: scopes,
                                        expiresAt: nil, relationship: declared, pin: pin)
        }
        await reload()
    }

    private func consentByFace(_ mandate: Delegation) async {
        let relative = PersonIdentity(idType: "resident_id", idNumber: idNumber, name: name)
        let face = model.faceCheck
        await model.perform { try await $0.consentMandateByFace(delegationId: mandate.delegationId, relative: relative, face: face) }
        await reload()
    }
}

/// A guardian's controls for a ward: the e-card on the child's own phone
/// (with the day it was allowed) and the child's PIN.
struct WardControls: View {
    @Environment(\.elderMode) private var elder
    let mandate: Delegation
    /// The region's rules let a guardian allow the e-card on the child's own phone.
    let eCardSwitch: Bool
    let allowECard: (Bool) -> Void
    let setPin: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            if eCardSwitch {
                Toggle("允许孩子在自己的手机上使用电子社保卡", isOn: Binding(
                    get: { mandate.wardECardSince != nil },
                    set: { allowECard($0) }
                ))
                .font(.system(size: elder.bodySize))
                .frame(minHeight: elder.touchTarget)
                if let since = mandate.wardECardSince {
                    Text(String(localized: "自 \(day(since)) 起已允许")).font(.system(size: elder.bodySize))
                }
            }
            BigButton(title: String(localized: "为孩子设置密码"), action: setPin)
        }
    }
}

/// The day of a platform time (seconds since the epoch), in the phone's locale.
func day(_ seconds: UInt64) -> String {
    Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(date: .long, time: .omitted)
}

/// The child's new PIN, then the guardian's own PIN to confirm it.
struct WardPinSheet: View {
    @Environment(\.dismiss) private var dismiss
    let wardName: String
    let act: (String, String) async -> Void
    @State private var newPin: String?

    var body: some View {
        VStack(spacing: 24) {
            if let newPin {
                PinPadView(title: String(localized: "输入您自己的电子社保卡密码以确认")) { pin in
                    Task {
                        await act(newPin, pin)
                        dismiss()
                    }
                }
            } else {
                PinPadView(title: String(localized: "为 \(wardName) 输入新的6位密码")) { pin in newPin = pin }
            }
            BigButton(title: String(localized: "取消")) { dismiss() }
        }
        .padding()
    }
}
