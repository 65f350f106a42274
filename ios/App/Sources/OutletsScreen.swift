// The nearest service outlets (offline), with distance and open-now.
import CoreLocation
import Ecard
import SwiftUI

struct OutletsScreen: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.elderMode) private var elder
    @StateObject private var location = LocationSource()
    @State private var service: OutletService? = nil
    @State private var hits: [OutletHit] = []

    var body: some View {
        List {
            Picker("业务", selection: $service) {
                Text("全部").tag(OutletService?.none)
                Text("申领").tag(OutletService?.some(.apply))
                Text("即时制卡").tag(OutletService?.some(.instantIssue))
                Text("补换").tag(OutletService?.some(.replace))
                Text("领卡").tag(OutletService?.some(.cardPickup))
                Text("解挂").tag(OutletService?.some(.releaseLoss))
            }
            .frame(minHeight: elder.touchTarget)
            ForEach(hits, id: \.outlet.id) { hit in
                VStack(alignment: .leading, spacing: 4) {
                    Text(hit.outlet.name).font(.system(size: elder.titleSize))
                    Text(hit.outlet.address).font(.system(size: elder.bodySize))
                    Text(status(hit))
                        .font(.system(size: elder.bodySize))
                        .foregroundStyle(hit.openNow ? .green : .secondary)
                }
                .frame(minHeight: elder.touchTarget, alignment: .leading)
            }
        }
        .navigationTitle("服务网点")
        .onAppear(perform: load)
        .onChange(of: service) { _ in load() }
        .onChange(of: location.coordinate.latitude) { _ in load() }
    }

    private func load() {
        guard let client = model.client else { return }
        let here = location.coordinate
        do {
            hits = try client.nearestOutlets(query: OutletQuery(latitude: here.latitude, longitude: here.longitude,
                                                                limit: 20, service: service, openNowOnly: false))
        } catch {
            model.notice = Notice(error)
        }
    }

    /// `850 米 · 营业中`: the distance and whether the outlet is open now.
    private func status(_ hit: OutletHit) -> String {
        let open = hit.openNow ? String(localized: "营业中") : String(localized: "已休息")
        return "\(distance(hit.distanceMetres)) · \(open)"
    }

    private func distance(_ metres: Double) -> String {
        if metres < 1000 { return String(localized: "\(Int(metres)) 米") }
        let kilometres = String(format: "%.1f", metres / 1000)
        return String(localized: "\(kilometres) 公里")
    }
}

/// The device's location when permitted; Nanchang's centre until then.
final class LocationSource: NSObject, ObservableObject, CLLocationManagerDelegate {
    @Published var coordinate = CLLocationCoordinate2D(latitude: 28.6829, longitude: 115.8579)
    /// Whether `coordinate` is the device's own (not the stand-in).
    @Published var known = false
    private let manager = CLLocationManager()

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyKilometer
        manager.requestWhenInUseAuthorization()
        manager.requestLocation()
    }

    func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        if let last = locations.last {
            coordinate = last.coordinate
            known = true
        }
    }

    func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {}
}
