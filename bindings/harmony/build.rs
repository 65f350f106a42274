//! Link set-up for the Node-API library: each napi flavour's build helper
//! adds what its target needs (for OpenHarmony, `libunwind` in place of
//! `libgcc`; on this Linux host, nothing beyond `-z nodelete`).

fn main() {
    #[cfg(feature = "node")]
    napi_build::setup();
    #[cfg(feature = "ohos")]
    napi_build_ohos::setup();
}
