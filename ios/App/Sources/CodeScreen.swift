// The code screen: the QR code of a card and purpose, drawn from the core's
// module matrix, the core's countdown (platform clock, refresh a few seconds
// before expiry, as on every platform) and a large refresh button. Purpose
// names come from the core.
import Ecard
import SwiftUI

struct CodeScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    /// The card to show; nil shows the holder's own.
    let cardId: String?
    @State private var purpose: Purpose = .transport
    @State private var code: CodeView?
    @State private var secondsLeft: UInt64 = 0
    @State private var countdown: CodeCountdown?
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()
    private static let purposes: [Purpose] = [
        .transport, .medical, .identity, .cultureTourism, .campusEntry, .library, .educationExam, .personnelExam,
    ]

    var body: some View {
        ScrollView {
            VStack(spacing: 20) {
                // The eight purposes (校园码, 借阅码, 教育考试码, 人事考试码 since format version 2), four a row.
                LazyVGrid(columns: Array(repeating: GridItem(.flexible(), spacing: 8), count: 4), spacing: 8) {
                    ForEach(Self.purposes, id: \.self) { choice in
                        Button { purpose = choice } label: {
                            Text(purposeLabel(purpose: choice, language: model.language))
                                .font(.system(size: elder.bodySize, weight: choice == purpose ? .bold : .regular))
                                .frame(maxWidth: .infinity, minHeight: elder.touchTarget)
                        }
                        .buttonStyle(.bordered)
                        .tint(choice == purpose ? .accentColor : .secondary)
                        .accessibilityAddTraits(choice == purpose ? .isSelected : [])
                    }
                }

                if let code {
                    QrCodeView(text: code.text)
                        .frame(width: 280, height: 280)
                        .accessibilityLabel("电子社保卡二维码")
                    Text(code.onBehalf == .holder ? LocalizedStringKey("本人") : LocalizedStringKey("代他人出示"))
                        .font(.system(size: elder.bodySize))
                    Text("\(countdownText(seconds: secondsLeft)) 后自动刷新")
                        .font(.system(size: elder.titleSize, weight: .bold))
                        .monospacedDigit()
                }
                NoticeView(notice: model.notice)
                BigButton(title: String(localized: "刷新"), systemImage: "arrow.clockwise") {
                    Task { await refresh() }
                }
                if cardId == nil {
                    // 扫一扫: a relying party's login QR code.
                    NavigationLink { ScanScreen(scanner: model.scanner) } label: {
                        Label("扫一扫：登录电脑或机器", systemImage: "qrcode.viewfinder")
                            .font(.system(size: elder.titleSize, weight: .semibold))
                            .frame(maxWidth: .infinity, minHeight: elder.touchTarget)
                    }
                    .buttonStyle(.bordered)
                }
            }
            .padding()
        }
        .navigationTitle("电子社保卡")
        .task(id: purpose) { await refresh() }
        .onReceive(timer) { _ in tick() }
    }

    private func refresh() async {
        let wanted = purpose
        code = await model.perform { try await $0.currentCode(cardId: cardId, purpose: wanted) }
        secondsLeft = code?.secondsLeft ?? 0
        countdown = code.map { codeCountdown(code: $0, localNow: Self.localNow()) }
    }

    private func tick() {
        guard let countdown else { return }
        let now = Self.localNow()
        secondsLeft = countdownSecondsLeft(countdown: countdown, localNow: now)
        if countdownNeedsRefresh(countdown: countdown, localNow: now) { Task { await refresh() } }
    }

    private static func localNow() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970)) }
}

/// Draws a QR symbol from the core's module matrix: crisp at any size.
struct QrCodeView: View {
    let text: String

    var body: some View {
        Canvas { context, size in
            guard let matrix = try? qrMatrix(text: text) else { return }
            let width = Int(matrix.width)
            let quiet = 4
            let module = min(size.width, size.height) / CGFloat(width + 2 * quiet)
            context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
            var dark = Path()
            for (index, value) in matrix.dark.enumerated() where value == 1 {
                let x = CGFloat(index % width + quiet) * module
                let y = CGFloat(index / width + quiet) * module
                dark.addRect(CGRect(x: x, y: y, width: module, height: module))
            }
            context.fill(dark, with: .color(.black))
        }
    }
}
