// Enrolment (开通电子社保卡), the PIN pad and the device list. What is
// allowed and what an error says come from the core; the screens keep the
// step and lay it out. Elder mode: body text of at least 18 pt, touch
// targets of at least 60 pt (the PIN-pad keys are that large in either
// mode), every message inline.
import Ecard
import SwiftUI

/// The app's face check: the face platform's SDK behind the library's
/// `FaceCheck`. The core calls it on a library thread, never the main one,
/// and waits while the SDK shows its capture screen; the SDK's signed result
/// goes back as it came. A build without the SDK reports the face check
/// unavailable, so the core tells the person to try later or go to an outlet.
final class FacePlatformCheck: FaceCheck, @unchecked Sendable {
    private let capture: ((FaceCheckRequest) throws -> String)?

    /// `capture` runs the SDK for the request (challenge and device binding
    /// to the SDK, `nameMasked` onto its screen), throwing
    /// `FaceCheckFailure.Cancelled` when the person closes it.
    init(capture: ((FaceCheckRequest) throws -> String)? = nil) {
        self.capture = capture
    }

    func check(request: FaceCheckRequest) throws -> String {
        guard let capture else { throw FaceCheckFailure.Unavailable(reason: "no face platform SDK in this build") }
        return try capture(request)
    }
}

/// Six dots and a 4×3 pad of large keys; `onPin` gets the PIN once six
/// digits are in, and the pad empties. The digits stay in the view's state
/// until then; nothing stores them.
struct PinPadView: View {
    @Environment(\.elderMode) private var elder
    let title: String
    let onPin: (String) -> Void
    @State private var digits = ""

    private static let keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "⌫"]
    private static let length = 6

    var body: some View {
        VStack(spacing: 16) {
            Text(title).font(.system(size: elder.titleSize, weight: .semibold))
            HStack(spacing: 12) {
                ForEach(0..<Self.length, id: \.self) { index in
                    Circle()
                        .fill(index < digits.count ? Color.primary : Color.secondary.opacity(0.3))
                        .frame(width: 18, height: 18)
                }
            }
            .accessibilityElement()
            .accessibilityLabel("已输入 \(digits.count) 位，共 \(Self.length) 位")
            LazyVGrid(columns: Array(repeating: GridItem(.fixed(elder.pinKey), spacing: 12), count: 3), spacing: 12) {
                ForEach(Array(Self.keys.enumerated()), id: \.offset) { _, key in
                    if key.isEmpty {
                        Color.clear.frame(width: elder.pinKey, height: elder.pinKey)
                    } else {
                        Button { press(key) } label: {
                            Text(key)
                                .font(.system(size: elder.pinDigitSize, weight: .medium))
                                .frame(width: elder.pinKey, height: elder.pinKey)
                        }
                        .buttonStyle(.bordered)
                        .accessibilityLabel(key == "⌫" ? String(localized: "删除") : key)
                    }
                }
            }
        }
    }

    private func press(_ key: String) {
        if key == "⌫" {
            if !digits.isEmpty { digits.removeLast() }
        } else if digits.count < Self.length {
            digits += key
        }
        if digits.count == Self.length {
            let pin = digits
            digits = ""
            onPin(pin)
        }
    }
}

/// Enrolment: identity → face check → the texted code and, for a new account, the PIN.
struct EnrolmentScreen: View {
    enum Step { case identity, faceCheck, codeAndPin }

    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var step: Step = .identity
    @State private var progress: EnrolmentProgress?
    @State private var name = ""
    @State private var idNumber = ""
    @State private var code = ""

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                Text("开通电子社保卡").font(.system(size: elder.titleSize, weight: .bold))
                NoticeView(notice: model.notice)
                switch step {
                case .identity:
                    TextField("姓名", text: $name).frame(minHeight: elder.touchTarget)
                    TextField("身份证号码", text: $idNumber).frame(minHeight: elder.touchTarget)
                    BigButton(title: String(localized: "下一步")) { Task { await begin() } }
                case .faceCheck:
                    Text("接下来请本人进行人脸识别：正对屏幕，按提示完成动作。").font(.system(size: elder.bodySize))
                    BigButton(title: String(localized: "开始人脸识别"), systemImage: "faceid") { Task { await checkFace() } }
                    BigButton(title: String(localized: "返回修改")) { step = .identity }
                case .codeAndPin:
                    if let sentTo = progress?.codeSentTo {
                        Text("验证码已发送至 \(sentTo)").font(.system(size: elder.bodySize))
                    }
                    TextField("短信验证码", text: $code)
                        .keyboardType(.numberPad)
                        .textContentType(.oneTimeCode)
                        .frame(minHeight: elder.touchTarget)
                    if progress?.pinRequired == true {
                        PinPadView(title: String(localized: "设置6位电子社保卡密码")) { pin in Task { await complete(code: code, pin: pin) } }
                    } else {
                        BigButton(title: String(localized: "完成")) { Task { await complete(code: code, pin: nil) } }
                    }
                    if progress?.approvalPossible == true {
                        Text("也可以在已开通的手机上“同意”本机开通，然后点下面的按钮。").font(.system(size: elder.bodySize))
                        BigButton(title: String(localized: "已在其他手机上同意")) { Task { await complete(code: nil, pin: nil) } }
                    }
                }
            }
            .padding()
        }
        .font(.system(size: elder.bodySize))
    }

    private func begin() async {
        let identity = PersonIdentity(idType: "resident_id", idNumber: idNumber, name: name)
        if let started = await model.perform({ try await $0.beginEnrolment(identity: identity) }) {
            progress = started
            step = .faceCheck
        }
    }

    private func checkFace() async {
        let face = model.faceCheck
        if let present = await model.perform({ try await $0.confirmPresence(face: face) }) {
            progress = present
            step = .codeAndPin
        } else if model.notice?.kind == .fixInput {
            // The identity was not verified: this enrolment is over, start again.
            step = .identity
        }
    }

    private func complete(code: String?, pin: String?) async {
        let trimmed = code?.trimmingCharacters(in: .whitespaces)
        _ = await model.perform { try await $0.completeEnrolment(oneTimeCode: trimmed?.isEmpty == true ? nil : trimmed, pin: pin) }
    }
}

/// Asks for the PIN before an act (解挂, 代办, 解除关联, 同意新设备).
struct PinPrompt: View {
    @Environment(\.dismiss) private var dismiss
    let title: String
    let act: (String) async -> Void

    var body: some View {
        VStack(spacing: 24) {
            PinPadView(title: title) { pin in
                Task {
                    await act(pin)
                    dismiss()
                }
            }
            BigButton(title: String(localized: "取消")) { dismiss() }
        }
        .padding()
    }
}

/// The devices where this e-card is signed in, with unlinking, and new devices waiting for approval.
struct DevicesScreen: View {
    /// An act waiting for the PIN.
    struct PinAct: Identifiable {
        let id = UUID()
        let title: String
        let act: (EcardClient, String) async throws -> Void
    }

    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var devices: [DeviceView] = []
    @State private var requests: [EnrolmentRequestView] = []
    @State private var asking: PinAct?

    var body: some View {
        List {
            NoticeView(notice: model.notice)
            if !requests.isEmpty {
                Section("等待您同意的新设备") {
                    ForEach(requests, id: \.enrolmentId) { request in
                        VStack(alignment: .leading, spacing: 8) {
                            Text(request.deviceName).font(.system(size: elder.titleSize))
                            BigButton(title: String(localized: "同意在这台设备上开通")) {
                                asking = PinAct(title: String(localized: "输入密码以同意开通")) { client, pin in
                                    try await client.approveEnrolment(enrolmentId: request.enrolmentId, pin: pin)
                                }
                            }
                        }
                    }
                }
            }
            Section("已登录的设备") {
                ForEach(devices, id: \.deviceId) { device in
                    VStack(alignment: .leading, spacing: 8) {
                        Text(device.current ? String(localized: "\(device.name)（本机）") : device.name).font(.system(size: elder.titleSize))
                        if !device.current {
                            BigButton(title: String(localized: "解除关联")) {
                                asking = PinAct(title: String(localized: "输入密码以解除关联")) { client, pin in
                                    _ = try await client.unlinkDevice(deviceId: device.deviceId, pin: pin)
                                }
                            }
                        }
                    }
                    .frame(minHeight: elder.touchTarget, alignment: .leading)
                }
            }
        }
        .font(.system(size: elder.bodySize))
        .navigationTitle("登录设备")
        .refreshable { await reload() }
        .task { await reload() }
        .sheet(item: $asking) { pending in
            PinPrompt(title: pending.title) { pin in
                await model.perform { try await pending.act($0, pin) }
                await reload()
            }
            .environment(\.elderMode, elder)
        }
    }

    private func reload() async {
        devices = await model.perform { try await $0.devices() } ?? devices
        requests = await model.perform { try await $0.enrolmentRequests() } ?? requests
    }
}
