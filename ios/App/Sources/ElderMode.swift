// Sizes of normal and elder mode (MIIT elder-mode rules: body text of at
// least 18 pt, touch targets of at least 60 pt, no pop-ups).
import SwiftUI

struct ElderMode: Equatable {
    var bodySize: CGFloat
    var titleSize: CGFloat
    var touchTarget: CGFloat
    var shortLabels: Bool
    /// Side of a PIN-pad key (at least 60 pt in either mode: the pad is used by everyone).
    var pinKey: CGFloat
    var pinDigitSize: CGFloat

    static let standard = ElderMode(bodySize: 16, titleSize: 20, touchTarget: 48, shortLabels: false, pinKey: 60, pinDigitSize: 26)
    static let elder = ElderMode(bodySize: 20, titleSize: 26, touchTarget: 64, shortLabels: true, pinKey: 72, pinDigitSize: 32)
}

private struct ElderModeKey: EnvironmentKey {
    static let defaultValue = ElderMode.standard
}

extension EnvironmentValues {
    var elderMode: ElderMode {
        get { self[ElderModeKey.self] }
        set { self[ElderModeKey.self] = newValue }
    }
}

/// A full-width button at least as tall as the mode's touch target.
struct BigButton: View {
    @Environment(\.elderMode) private var elder
    let title: String
    var systemImage: String? = nil
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            Group {
                if let systemImage { Label(title, systemImage: systemImage) } else { Text(title) }
            }
            .font(.system(size: elder.titleSize, weight: .semibold))
            .frame(maxWidth: .infinity, minHeight: elder.touchTarget)
        }
        .buttonStyle(.borderedProminent)
    }
}

/// A message shown in place, never in an alert.
struct NoticeView: View {
    @Environment(\.elderMode) private var elder
    let notice: Notice?

    var body: some View {
        if let notice {
            Label(notice.text, systemImage: notice.kind.symbol)
                .font(.system(size: elder.bodySize))
                .foregroundStyle(notice.kind == .info ? Color.primary : Color.red)
                .padding()
                .frame(maxWidth: .infinity, alignment: .leading)
                .background(RoundedRectangle(cornerRadius: 12).fill(Color.red.opacity(0.08)))
                .accessibilityElement(children: .combine)
        }
    }
}
