// Catalogue search, offline, in Chinese characters or pinyin (社保卡,
// shebaoka, sbk) or the resident's own words (社保卡丢了). Elder mode lists
// the short labels. When nothing matches, the help instead of an empty
// screen: the closest items, the nearest outlets that handle them (when the
// phone's location is known) and a call button for the 12333 hotline.
import Ecard
import SwiftUI

struct CatalogueScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @Environment(\.openURL) private var openURL
    @StateObject private var location = LocationSource()
    @State private var text = ""
    @State private var hits: [SearchHit] = []
    @State private var help: SearchHelp?
    /// The item whose details are open (a hit, a closest item or a national twin).
    @State private var details: CatalogueItem?

    var body: some View {
        List {
            ForEach(hits, id: \.item.id) { hit in
                row(hit)
            }
            if let help {
                Section {
                    ForEach(help.closest, id: \.item.id) { hit in
                        row(hit)
                    }
                } header: {
                    VStack(alignment: .leading, spacing: 4) {
                        Text("没有找到完全匹配的事项").font(.system(size: elder.titleSize))
                        Text("您可能想找").font(.system(size: elder.bodySize))
                    }
                }
                if !help.outlets.isEmpty {
                    Section("附近可以办理的网点") {
                        ForEach(help.outlets, id: \.outlet.id) { hit in
                            VStack(alignment: .leading, spacing: 4) {
                                Text(hit.outlet.name).font(.system(size: elder.titleSize))
                                Text(status(hit))
                                    .font(.system(size: elder.bodySize))
                                    .foregroundStyle(hit.openNow ? .green : .secondary)
                            }
                            .frame(minHeight: elder.touchTarget, alignment: .leading)
                        }
                    }
                }
                Section {
                    Button {
                        if let url = URL(string: "tel:\(help.hotline)") { openURL(url) }
                    } label: {
                        Label(String(localized: "拨打 \(help.hotline) 咨询"), systemImage: "phone")
                            .font(.system(size: elder.titleSize))
                            .frame(minHeight: elder.touchTarget)
                    }
                }
            }
        }
        .overlay { NoticeView(notice: model.notice) }
        .searchable(text: $text, prompt: "搜索服务（支持拼音）")
        .onChange(of: text) { _ in search() }
        .onAppear(perform: search)
        .navigationTitle("一卡通服务")
        .navigationDestination(isPresented: Binding(get: { details != nil }, set: { if !$0 { details = nil } })) {
            if let item = details {
                ItemDetails(item: item, start: start, openTwin: openTwin)
            }
        }
        .toolbar {
            if let asOf = model.snapshot?.catalogue.asOf {
                Text("更新于 \(Date(timeIntervalSince1970: TimeInterval(asOf)).formatted(date: .numeric, time: .shortened))")
                    .font(.footnote)
            }
        }
    }

    /// A hit: tap for its details; its national twin and its action beside it.
    private func row(_ hit: SearchHit) -> some View {
        VStack(alignment: .leading, spacing: 4) {
            Button {
                details = hit.item
            } label: {
                VStack(alignment: .leading, spacing: 4) {
                    Text(elder.shortLabels ? hit.item.shortLabel : hit.item.name)
                        .font(.system(size: elder.titleSize))
                    Text(hit.item.department)
                        .font(.system(size: elder.bodySize))
                        .foregroundStyle(.secondary)
                }
            }
            .buttonStyle(.plain)
            if let twin = hit.twins.first {
                Button("全国事项") { openTwin(twin) }
                    .font(.system(size: elder.bodySize))
                    .buttonStyle(.borderless)
            }
            if hit.item.appAction != nil {
                Button("去办理") { start(hit.item) }
                    .font(.system(size: elder.bodySize))
                    .buttonStyle(.borderedProminent)
                    .frame(minHeight: elder.touchTarget)
            }
        }
        .frame(minHeight: elder.touchTarget, alignment: .leading)
    }

    private func search() {
        guard let client = model.client else { return }
        do {
            let query = SearchQuery(text: text, limit: 50)
            hits = try client.search(query: query)
            if hits.isEmpty && !text.trimmingCharacters(in: .whitespaces).isEmpty {
                let near = location.known
                    ? Location(latitude: location.coordinate.latitude, longitude: location.coordinate.longitude)
                    : nil
                help = try client.searchHelp(query: SearchQuery(text: text, limit: elder.shortLabels ? 3 : 5), near: near)
            } else {
                help = nil
            }
        } catch {
            model.notice = Notice(error)
        }
    }

    /// The app's screen for the item's action, or its details when the app has none.
    private func start(_ item: CatalogueItem) {
        if let tab = AppTab(action: item.appAction) {
            details = nil
            model.tab = tab
        } else {
            details = item
        }
    }

    private func openTwin(_ id: String) {
        guard let client = model.client else { return }
        do {
            if let item = try client.catalogueItem(id: id) { details = item }
        } catch {
            model.notice = Notice(error)
        }
    }

    /// `850 米 · 营业中`: the distance and whether the outlet is open now.
    private func status(_ hit: OutletHit) -> String {
        let open = hit.openNow ? String(localized: "营业中") : String(localized: "已休息")
        if hit.distanceMetres < 1000 { return "\(String(localized: "\(Int(hit.distanceMetres)) 米")) · \(open)" }
        let kilometres = String(format: "%.1f", hit.distanceMetres / 1000)
        return "\(String(localized: "\(kilometres) 公里")) · \(open)"
    }
}

/// One item's details: what it is, who handles it, its national twin and its action.
struct ItemDetails: View {
    @Environment(\.elderMode) private var elder
    let item: CatalogueItem
    let start: (CatalogueItem) -> Void
    let openTwin: (String) -> Void

    var body: some View {
        List {
            Text(elder.shortLabels ? item.shortLabel : item.name).font(.system(size: elder.titleSize))
            Text(item.description).font(.system(size: elder.bodySize))
            Text(item.department).font(.system(size: elder.bodySize)).foregroundStyle(.secondary)
            if let twin = item.nationalItem {
                Button("全国事项") { openTwin(twin) }
                    .font(.system(size: elder.bodySize))
                    .frame(minHeight: elder.touchTarget)
            }
            if AppTab(action: item.appAction) != nil {
                Button("去办理") { start(item) }
                    .font(.system(size: elder.titleSize))
                    .frame(minHeight: elder.touchTarget)
            }
        }
        .navigationTitle(item.name)
    }
}
