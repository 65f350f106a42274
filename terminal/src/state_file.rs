//! The state file: JSON, a SHA-256 line to tell a damaged file from a
//! good one, written atomically.
//!
//! Why a checksum: a file cut short by a power loss, or changed by hand,
//! must never be read as a smaller, valid state (fewer revocations, fewer
//! remembered codes). Why atomic: a reader sees the old file or the new
//! one, never half of each (write a temporary file beside it, flush it to
//! disk, rename it over the old one, flush the directory).

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ring::digest::{SHA256, digest};

const CHECKSUM_PREFIX: &str = "\nsha256:";

/// Why a state file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadProblem {
    /// There is no state file.
    #[error("no state file")]
    Missing,
    /// The file is damaged: cut short, changed, or not a state file.
    #[error("the state file is damaged: {0}")]
    Damaged(String),
    /// The file could not be read.
    #[error("the state file cannot be read: {0}")]
    Unreadable(String),
}

/// The checked contents of the file at `path`.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadProblem> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadProblem::Missing);
        }
        Err(error) => return Err(ReadProblem::Unreadable(error.to_string())),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| ReadProblem::Damaged("not UTF-8".into()))?;
    let (body, checksum) = text
        .rsplit_once(CHECKSUM_PREFIX)
        .ok_or_else(|| ReadProblem::Damaged("no checksum line".into()))?;
    if checksum.trim_end() != hex_sha256(body.as_bytes()) {
        return Err(ReadProblem::Damaged("checksum does not match".into()));
    }
    Ok(body.as_bytes().to_vec())
}

/// Replaces the file at `path` with `body` and its checksum, atomically.
pub fn write(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temporary)?;
        file.write_all(body)?;
        file.write_all(CHECKSUM_PREFIX.as_bytes())?;
        file.write_all(hex_sha256(body).as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        if let Some(directory) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            File::open(directory)?.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    path.with_file_name(name)
}

fn hex_sha256(bytes: &[u8]) -> String {
    digest(&SHA256, bytes)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_written_file_reads_back_and_any_change_is_caught() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("state.json");
        assert_eq!(read(&path), Err(ReadProblem::Missing));
        write(&path, br#"{"a":1}"#).unwrap();
        assert_eq!(read(&path).unwrap(), br#"{"a":1}"#);
        let good = fs::read(&path).unwrap();
        // Cut short anywhere, or one byte changed: damaged, never a smaller state.
        for cut in [0, 3, good.len() / 2, good.len() - 2] {
            fs::write(&path, &good[..cut]).unwrap();
            assert!(
                matches!(read(&path), Err(ReadProblem::Damaged(_))),
                "cut {cut}"
            );
        }
        let mut flipped = good.clone();
        flipped[2] ^= 0x01;
        fs::write(&path, &flipped).unwrap();
        assert!(matches!(read(&path), Err(ReadProblem::Damaged(_))));
        assert!(!directory.path().join("state.json.new").exists());
    }
}
