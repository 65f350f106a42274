// Family (亲情服务): guardianship of a child (with the birth certificate or
// household register) and acting for an elderly relative (who consents);
// the codes of the people acted for.
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

    var body: some View {
        Form {
            NoticeView(notice: model.notice)
            Section("我代办的家人") {
                ForEach(mandates, id: \.delegationId) { mandate in
                    VStack(alignment: .leading) {
                        Text(mandate.principalNameMasked).font(.system(size: elder.titleSize))
                        Text(status(mandate.status)).font(.system(size: elder.bodySize))
                    }
                    .frame(minHeight: elder.touchTarget, alignment: .leading)
                }
                ForEach(principalCards, id: \.cardId) { card in
                    NavigationLink("出示 \(card.holderNameMasked) 的电子社保卡") { CodeScreen(cardId: card.cardId) }
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
                }
                BigButton(title: "提交") { Task { await request() } }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("亲情服务")
        .task { await reload() }
    }

    private var principalCards: [CardView] {
        (model.snapshot?.cards ?? []).filter { $0.role != .holder }
    }

    private func status(_ status: DelegationStatus) -> String {
        switch status {
        case .pendingConsent: return "等待对方同意"
        case .active: return "已生效"
        case .revoked: return "已解除"
        case .expired: return "已到期"
        }
    }

    private func reload() async {
        mandates = await model.perform { try await $0.mandates() } ?? mandates
    }

    private func request() async {
        let person = PersonIdentity(idType: "resident_id", idNumber: idNumber, name: name)
        let evidence = kind == .guardian ? Evidence(kind: "birth_certificate", number: evidenceNumber) : nil
        let scopes: [Scope] = kind == .guardian ? [.apply, .track, .showCode, .reportLoss] : [.showCode, .track, .reportLoss]
        await model.perform { try await $0.requestMandate(kind: kind, principal: person, evidence: evidence, scopes: scopes, expiresAt: nil) }
        await reload()
    }
}
