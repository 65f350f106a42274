// 出生一件事: the parent's one form (the hospital's birth certificate, the
// household registration and the newborn's card together) and the births
// filed, each with ONE progress line (submitted → household registered →
// card in production → card on its way → card received) whose labels come
// from the core. Where the region's rules do not take it in one submission
// the form is replaced by what to do instead; where they exempt newborns
// from the card photo, the photo picker says so.
import Ecard
import PhotosUI
import SwiftUI

struct BirthScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var births: [BirthFlow] = []
    @State private var certificate = ""
    @State private var childName = ""
    @State private var sex: Sex = .female
    @State private var birthDate = Date()
    @State private var householdRegion = ""
    @State private var householdAddress = ""
    @State private var bank = "icbc"
    @State private var phone = ""
    @State private var byMail = false
    @State private var mailAddress = ""
    @State private var outletId = ""
    @State private var photoItem: PhotosPickerItem?
    @State private var photo: Data?

    var body: some View {
        Form {
            NoticeView(notice: model.notice)
            if !births.isEmpty {
                Section("我提交的出生登记") {
                    ForEach(births, id: \.birth.birthId) { flow in
                        BirthRow(flow: flow)
                    }
                }
            }
            if let rules {
                if rules.newborn.oneSubmission {
                    form(rules)
                } else {
                    Section {
                        Text("本地区需先到户籍窗口办理出生登记，再为孩子申领社保卡。")
                            .font(.system(size: elder.bodySize))
                    }
                }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("出生一件事")
        .refreshable { await reload() }
        .task { await reload() }
        .onChange(of: photoItem) { item in
            Task { photo = try? await item?.loadTransferable(type: Data.self) }
        }
    }

    @ViewBuilder private func form(_ rules: RegionalRules) -> some View {
        Section("新生儿") {
            TextField("出生医学证明编号", text: $certificate).frame(minHeight: elder.touchTarget)
                .overlay(alignment: .bottom) { fieldError("birth_certificate") }
            TextField("孩子姓名", text: $childName).frame(minHeight: elder.touchTarget)
                .overlay(alignment: .bottom) { fieldError("child_name") }
            Picker("性别", selection: $sex) {
                Text("男").tag(Sex.male)
                Text("女").tag(Sex.female)
            }
            .pickerStyle(.segmented)
            .frame(minHeight: elder.touchTarget)
            DatePicker(LocalizedStringKey("出生日期"), selection: $birthDate, in: ...Date(), displayedComponents: .date)
                .frame(minHeight: elder.touchTarget)
        }
        Section("户籍") {
            TextField("户籍登记地（区县代码，6位）", text: $householdRegion)
                .keyboardType(.numberPad)
                .frame(minHeight: elder.touchTarget)
                .overlay(alignment: .bottom) { fieldError("household_region") }
            TextField("户籍地址", text: $householdAddress).frame(minHeight: elder.touchTarget)
                .overlay(alignment: .bottom) { fieldError("household_address") }
        }
        Section("社保卡") {
            Picker("联名银行", selection: $bank) {
                ForEach(rules.banks, id: \.code) { Text($0.name).tag($0.code) }
            }
            .frame(minHeight: elder.touchTarget)
            TextField("手机号码", text: $phone)
                .keyboardType(.phonePad)
                .frame(minHeight: elder.touchTarget)
                .overlay(alignment: .bottom) { fieldError("phone") }
            Picker("领卡方式", selection: $byMail) {
                Text("网点领取").tag(false)
                Text("邮寄到家").tag(true)
            }
            .pickerStyle(.segmented)
            .frame(minHeight: elder.touchTarget)
            if byMail {
                TextField("邮寄地址", text: $mailAddress).frame(minHeight: elder.touchTarget)
            } else {
                Picker("领卡网点", selection: $outletId) {
                    ForEach(outlets, id: \.outlet.id) { Text($0.outlet.name).tag($0.outlet.id) }
                }
                .frame(minHeight: elder.touchTarget)
            }
            if rules.newborn.photoExemptUnderAge > 0 {
                // The rules exempt a child this young from the card photo.
                Text(String(localized: "未满 \(Int(rules.newborn.photoExemptUnderAge)) 周岁的孩子无需照片"))
                    .font(.system(size: elder.bodySize))
            } else {
                PhotosPicker(photo == nil ? LocalizedStringKey("选择证件照片") : LocalizedStringKey("已选择照片"), selection: $photoItem, matching: .images)
                    .frame(minHeight: elder.touchTarget)
            }
        }
        Section {
            BigButton(title: String(localized: "提交出生登记和申领")) { Task { await submit(rules) } }
        }
    }

    private var rules: RegionalRules? {
        guard let client = model.client else { return nil }
        return try? client.rules()
    }

    private var outlets: [OutletHit] {
        (try? model.client?.nearestOutlets(query: OutletQuery(latitude: 28.6829, longitude: 115.8579, limit: 10, service: .cardPickup, openNowOnly: false))) ?? []
    }

    @ViewBuilder private func fieldError(_ field: String) -> some View {
        if model.notice?.field == field { Rectangle().fill(Color.red).frame(height: 2) }
    }

    /// `YYYY-MM-DD` of the day picked, in the phone's calendar.
    private var birthDateText: String {
        let parts = Calendar(identifier: .gregorian).dateComponents([.year, .month, .day], from: birthDate)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    private func reload() async {
        births = await model.perform { try await $0.births() } ?? births
    }

    private func submit(_ rules: RegionalRules) async {
        let delivery: Delivery = byMail ? .mail(address: mailAddress, phone: phone) : .pickup(outletId: outletId)
        let form = BirthForm(birthCertificate: certificate, childName: childName, sex: sex, birthDate: birthDateText,
                             otherParent: nil, householdRegion: householdRegion, householdAddress: householdAddress,
                             bank: bank, phone: phone, delivery: delivery,
                             photoJpeg: rules.newborn.photoExemptUnderAge > 0 ? nil : photo)
        if await model.perform({ try await $0.registerBirth(form: form) }) != nil {
            await reload()
        }
    }
}

/// One birth: the child and ONE progress line, reached steps with their day.
struct BirthRow: View {
    @Environment(\.elderMode) private var elder
    let flow: BirthFlow

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text(verbatim: "\(flow.birth.childNameMasked) \(flow.birth.birthDate)")
                .font(.system(size: elder.titleSize, weight: .semibold))
            ForEach(flow.stages, id: \.step) { stage in
                HStack(alignment: .firstTextBaseline) {
                    Image(systemName: stage.at == nil ? "circle" : "checkmark.circle.fill")
                        .foregroundStyle(stage.at == nil ? Color.secondary : Color.green)
                    Text(stage.label).font(.system(size: elder.bodySize))
                    Spacer()
                    if let at = stage.at {
                        Text(day(at)).font(.system(size: elder.bodySize))
                    }
                }
                .accessibilityElement(children: .combine)
            }
        }
        .padding(.vertical, 4)
    }
}
