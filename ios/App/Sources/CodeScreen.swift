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

    var body: some View {
        ScrollView {
            VStack(spacing: 20) {
                Picker("用途", selection: $purpose) {
                    ForEach([Purpose.transport, .medical, .identity, .cultureTourism], id: \.self) { purpose in
                        Text(purposeLabel(purpose: purpose, language: model.language)).tag(purpose)
                    }
                }
                .pickerStyle(.segmented)
                .frame(minHeight: elder.touchTarget)

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
