//! The checked-in header is what cbindgen generates from the source: a
//! change to the ABI without regenerating it fails here.
//! `ECARD_UPDATE_HEADER=1 cargo test -p ecard-terminal-c --test header`
//! rewrites it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;

#[test]
fn the_checked_in_header_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/lib.rs"))
        .generate()
        .expect("cbindgen parses src/lib.rs");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = root.join("include/ecard_terminal.h");
    let checked_in = std::fs::read(&path).unwrap_or_default();
    if checked_in == generated {
        return;
    }
    if std::env::var_os("ECARD_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    panic!(
        "{} is out of date: run ECARD_UPDATE_HEADER=1 cargo test -p ecard-terminal-c --test header",
        path.display()
    );
}
