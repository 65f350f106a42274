//! `uniffi-bindgen` pinned to the uniffi version of ecard-ffi; see
//! Cargo.toml for why it is a separate package.

fn main() {
    uniffi::uniffi_bindgen_main()
}
