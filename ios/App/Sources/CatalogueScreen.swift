// Catalogue search, offline, in Chinese characters or pinyin (社保卡,
// shebaoka, sbk). Elder mode lists the short labels.
import Ecard
import SwiftUI

struct CatalogueScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @State private var text = ""
    @State private var hits: [SearchHit] = []

    var body: some View {
        List(hits, id: \.item.id) { hit in
            VStack(alignment: .leading, spacing: 4) {
                Text(elder.shortLabels ? hit.item.shortLabel : hit.item.name)
                    .font(.system(size: elder.titleSize))
                Text(hit.item.department)
                    .font(.system(size: elder.bodySize))
                    .foregroundStyle(.secondary)
            }
            .frame(minHeight: elder.touchTarget, alignment: .leading)
        }
        .overlay { NoticeView(notice: model.notice) }
        .searchable(text: $text, prompt: "搜索服务（支持拼音）")
        .onChange(of: text) { _ in search() }
        .onAppear(perform: search)
        .navigationTitle("一卡通服务")
        .toolbar {
            if let asOf = model.snapshot?.catalogue.asOf {
                Text("更新于 \(Date(timeIntervalSince1970: TimeInterval(asOf)).formatted(date: .numeric, time: .shortened))")
                    .font(.footnote)
            }
        }
    }

    private func search() {
        guard let client = model.client else { return }
        do {
            hits = try client.search(query: SearchQuery(text: text, limit: 50))
        } catch {
            model.notice = Notice(error)
        }
    }
}
