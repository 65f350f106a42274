// The thin iOS app: SwiftUI screens over the shared core. Everything a
// screen decides (what is allowed, what a step is called, what an error
// says) comes from the core through the Ecard package; the app only lays it
// out, in normal or elder mode (适老化: larger text, larger targets, no
// alerts — every message is shown inline).
import Ecard
import SwiftUI

@main
struct EcardApp: App {
    @StateObject private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .environment(\.elderMode, model.elderMode ? .elder : .standard)
                .task { await model.start() }
        }
    }
}

struct RootView: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder

    var body: some View {
        if model.snapshot?.enrolled == false {
            // Not enrolled on this phone yet: enrolment first.
            NavigationStack { EnrolmentScreen() }
                .font(.system(size: elder.bodySize))
        } else {
            tabs
        }
    }

    private var tabs: some View {
        TabView(selection: $model.tab) {
            NavigationStack { CodeScreen(cardId: nil) }
                .tabItem { Label("电子社保卡", systemImage: "qrcode") }
                .tag(AppTab.code)
            NavigationStack { CatalogueScreen() }
                .tabItem { Label("服务", systemImage: "square.grid.2x2") }
                .tag(AppTab.services)
            NavigationStack { OutletsScreen() }
                .tabItem { Label("网点", systemImage: "mappin.and.ellipse") }
                .tag(AppTab.outlets)
            NavigationStack { CardServicesScreen() }
                .tabItem { Label("办卡", systemImage: "creditcard") }
                .tag(AppTab.card)
            NavigationStack { FamilyScreen() }
                .tabItem { Label("亲情", systemImage: "person.2") }
                .tag(AppTab.family)
        }
        .font(.system(size: elder.bodySize))
        .safeAreaInset(edge: .top) {
            Toggle("长辈模式", isOn: $model.elderMode)
                .font(.system(size: elder.bodySize))
                .frame(minHeight: elder.touchTarget)
                .padding(.horizontal)
        }
    }
}

/// The app's tabs; a search hit's action button switches to the one that runs it.
enum AppTab: Hashable {
    case code, services, outlets, card, family

    /// The tab whose screen runs an item's action (申领, 挂失, 出示电子社保卡, 亲情代办, 网点),
    /// or nil when the app has no screen for it (then the item's details open).
    init?(action: AppAction?) {
        switch action {
        case .showCode?: self = .code
        case .applyForCard?, .replaceCard?, .changeBank?, .reportLoss?, .releaseLoss?,
             .activateSocialFunction?, .trackProduction?:
            self = .card
        case .applyForNewbornCard?, .actForFamily?: self = .family
        case .findOutlet?: self = .outlets
        case .changePin?, .applyForElectronicCard?, nil: return nil
        }
    }
}
