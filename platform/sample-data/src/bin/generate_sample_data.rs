//! Writes the platform's sample data (`catalogue.json`, `outlets.json`,
//! `rules.json`, `vocabulary.json`) into the directory given as the only argument:
//!
//! ```text
//! cargo run -p ecard-sample-data --bin generate-sample-data -- platform/data
//! ```
//!
//! The output is deterministic, so running it twice changes nothing; run it
//! after editing the tables in `platform/sample-data/src/` and commit the
//! files with the change (a test compares them with the generator).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: generate-sample-data <output-directory>");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let data = ecard_sample_data::generate();
    let files = match data.files() {
        Ok(files) => files,
        Err(e) => {
            eprintln!("generate-sample-data: cannot serialise: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("generate-sample-data: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, contents) in files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, contents.as_bytes()) {
            eprintln!("generate-sample-data: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("wrote {} ({} bytes)", path.display(), contents.len());
    }
    eprintln!(
        "{} catalogue items, {} outlets, {} regional rules, {} vocabulary entries",
        data.catalogue.len(),
        data.outlets.len(),
        data.rules.len(),
        data.vocabulary.len()
    );
    ExitCode::SUCCESS
}
