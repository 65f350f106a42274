//! Writes the test-vector corpus: one JSON file per vector.
//!
//! Usage: `generate-test-vectors <directory>` (the checked-in corpus lives
//! in `credential/tests/vectors/`, signed trust lists in its `trust-lists/`).
//! Old `*.json` files there are replaced.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(directory) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: generate-test-vectors <directory>");
        return ExitCode::from(2);
    };
    match run(&directory) {
        Ok(count) => {
            eprintln!("wrote {count} vectors to {}", directory.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(directory: &std::path::Path) -> Result<usize, String> {
    let vectors = ecard_test_vectors::generate()?;
    for vector in &vectors {
        vector.check()?;
    }
    std::fs::create_dir_all(directory).map_err(|error| error.to_string())?;
    for entry in std::fs::read_dir(directory).map_err(|error| error.to_string())? {
        let path = entry.map_err(|error| error.to_string())?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            std::fs::remove_file(&path).map_err(|error| error.to_string())?;
        }
    }
    for vector in &vectors {
        let json = serde_json::to_string_pretty(vector).map_err(|error| error.to_string())?;
        let path = directory.join(format!("{}.json", vector.name));
        std::fs::write(&path, json + "\n").map_err(|error| error.to_string())?;
    }
    let trust_vectors = ecard_test_vectors::generate_trust_lists()?;
    for vector in &trust_vectors {
        vector.check()?;
    }
    let trust_directory = directory.join(ecard_test_vectors::TRUST_VECTOR_DIRECTORY);
    std::fs::create_dir_all(&trust_directory).map_err(|error| error.to_string())?;
    for entry in std::fs::read_dir(&trust_directory).map_err(|error| error.to_string())? {
        let path = entry.map_err(|error| error.to_string())?.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            std::fs::remove_file(&path).map_err(|error| error.to_string())?;
        }
    }
    for vector in &trust_vectors {
        let json = serde_json::to_string_pretty(vector).map_err(|error| error.to_string())?;
        let path = trust_directory.join(format!("{}.json", vector.name));
        std::fs::write(&path, json + "\n").map_err(|error| error.to_string())?;
    }
    Ok(vectors.len() + trust_vectors.len())
}
