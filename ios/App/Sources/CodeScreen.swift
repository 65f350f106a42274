// The code screen: the QR code of a card and purpose, drawn from the core's
// module matrix, a countdown of its seconds left by the trusted clock, an
// automatic refresh at zero and a large refresh button.
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
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    var body: some View {
        ScrollView {
            VStack(spacing: 20) {
                Picker("用途", selection: $purpose) {
                    Text("乘车").tag(Purpose.transport)
                    Text("就医").tag(Purpose.medical)
                    Text("身份").tag(Purpose.identity)
                    Text("文旅").tag(Purpose.cultureTourism)
                }
                .pickerStyle(.segmented)
                .frame(minHeight: elder.touchTarget)

                if let code {
                    QrCodeView(text: code.text)
                        .frame(width: 280, height: 280)
                        .accessibilityLabel("电子社保卡二维码")
                    Text(code.onBehalf == .holder ? "本人" : "代他人出示")
                        .font(.system(size: elder.bodySize))
                    Text("\(secondsLeft) 秒后自动刷新")
                        .font(.system(size: elder.titleSize, weight: .bold))
                        .monospacedDigit()
                }
                NoticeView(notice: model.notice)
                BigButton(title: "刷新", systemImage: "arrow.clockwise") {
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
    }

    private func tick() {
        guard let code, let client = model.client else { return }
        secondsLeft = client.secondsLeft(code: code)
        if secondsLeft == 0 { Task { await refresh() } }
    }
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
