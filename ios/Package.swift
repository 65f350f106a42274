// swift-tools-version:5.9
// The e-card client core for iOS: the Rust library as an XCFramework
// (`EcardFFI`, built by build-xcframework.sh), its generated Swift API and
// the platform pieces (Secure Enclave key store, os_log sink) in `Ecard`.
import PackageDescription

let package = Package(
    name: "Ecard",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "Ecard", targets: ["Ecard"]),
    ],
    targets: [
        // Static libraries for device and simulator, with EcardFFI.h and its
        // module map. Not checked in: run ./build-xcframework.sh first.
        .binaryTarget(name: "EcardFFI", path: "build/EcardFFI.xcframework"),
        .target(
            name: "Ecard",
            dependencies: ["EcardFFI"],
            path: "Sources/Ecard",
            linkerSettings: [.linkedFramework("Security"), .linkedFramework("SystemConfiguration")]
        ),
    ]
)
