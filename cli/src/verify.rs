//! `ecard verify`: offline verification of a code, as a terminal does it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use ecard_api::rules::RegionalRules;
use ecard_credential::trust::TrustAnchor;
use ecard_credential::{
    AuthorityKey, Locale, Purpose, SignedTrustList, StatusCheck, StatusPolicy, TrustList,
    TrustListError, VerifiedPresentation, Verifier, VerifierPolicy, VerifyError,
};
use ecard_terminal::Terminal;
use serde_json::json;

use crate::output::{now, parse_purpose};

#[derive(Args)]
pub struct VerifyArgs {
    /// The code text (starting `EC1:`) or the path of a PNG image of it.
    code: String,
    #[command(flatten)]
    trust: TrustArgs,
    /// Signed status list (binary, as the platform serves it); with
    /// `--state` it is installed into the terminal's state, and may also be
    /// a signed delta from the installed edition.
    #[arg(long)]
    status: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Verify as the terminal whose state is in this file (see `ecard
    /// terminal provision`): replays and installed status lists are kept
    /// across runs; a missing or damaged file refuses every code.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Verify at this Unix time instead of now.
    #[arg(long)]
    now: Option<u64>,
    /// Print one JSON line.
    #[arg(long)]
    json: bool,
}

/// What a terminal accepts: shared by `ecard verify` and `ecard terminal
/// provision`.
#[derive(Args)]
pub struct PolicyArgs {
    /// Purposes this terminal accepts (repeatable); all when omitted.
    #[arg(long = "purpose", value_parser = parse_purpose)]
    purposes: Vec<Purpose>,
    /// The region's rules (JSON, as `GET /v1/rules` serves them): who may
    /// present for whom, and the oldest status list to rely on.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Oldest status list (by issue time) a verdict may rest on, seconds
    /// (default: the rules', else one day).
    #[arg(long, conflicts_with = "status_best_effort")]
    status_max_age: Option<u64>,
    /// Accept a code unchecked when no current status list covers it (an
    /// explicit choice; by default such a code is refused).
    #[arg(long)]
    status_best_effort: bool,
}

impl PolicyArgs {
    /// The purposes asked for, or all.
    pub fn purposes(&self) -> Vec<Purpose> {
        if self.purposes.is_empty() {
            Purpose::ALL.to_vec()
        } else {
            self.purposes.clone()
        }
    }

    /// The verifier policy: the rules' (or the defaults), then the flags.
    pub fn policy(&self) -> Result<VerifierPolicy, String> {
        let purposes = self.purposes();
        let mut policy = match &self.rules {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| format!("{}: {error}", path.display()))?;
                let rules: RegionalRules = serde_json::from_str(&text)
                    .map_err(|error| format!("{}: not regional rules: {error}", path.display()))?;
                rules.verifier_policy(&purposes)
            }
            None => VerifierPolicy::for_purposes(&purposes),
        };
        if let Some(max_age_seconds) = self.status_max_age {
            policy.status = StatusPolicy::Required { max_age_seconds };
        }
        if self.status_best_effort {
            policy.status = StatusPolicy::BestEffort;
        }
        Ok(policy)
    }
}

pub fn run(args: &VerifyArgs) -> Result<ExitCode, String> {
    let now = args.now.unwrap_or_else(now);
    let code = read_code(&args.code)?;
    let result = match &args.state {
        Some(path) => verify_as_terminal(args, path, &code, now)?,
        None => verify_once(args, &code, now)?,
    };
    print_result(&result, args.json);
    Ok(if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn verify_once(
    args: &VerifyArgs,
    code: &str,
    now: u64,
) -> Result<Result<VerifiedPresentation, VerifyError>, String> {
    let trust = args.trust.load(now)?;
    let policy = args.policy.policy()?;
    let mut verifier = Verifier::new(&trust, policy).map_err(|error| error.to_string())?;
    if let Some(path) = &args.status {
        let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
        verifier
            .install_status_list(&bytes, now)
            .map_err(|error| format!("status list: {} ({error})", error.code()))?;
    }
    Ok(verifier.verify(code, now))
}

fn verify_as_terminal(
    args: &VerifyArgs,
    path: &Path,
    code: &str,
    now: u64,
) -> Result<Result<VerifiedPresentation, VerifyError>, String> {
    let mut terminal = Terminal::open(path, now);
    if let Some(problem) = terminal.problem() {
        eprintln!("ecard: {}: {problem}", path.display());
    }
    if let Some(status) = &args.status {
        let bytes =
            std::fs::read(status).map_err(|error| format!("{}: {error}", status.display()))?;
        let installed = if bytes.starts_with(b"ECSD") {
            terminal.install_status_delta(&bytes, now)
        } else {
            terminal.install_status_list(&bytes, now)
        };
        if let Err(error) = installed {
            eprintln!(
                "ecard: status list not installed: {} ({error})",
                error.code()
            );
        }
    }
    let result = terminal.verify(code, now);
    terminal
        .close(now)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    Ok(result)
}

/// Where a trust list comes from and how it is checked: shared by `ecard
/// verify` and `ecard terminal provision`.
#[derive(Args)]
pub struct TrustArgs {
    /// Trust list: the signed envelope the platform serves (JSON). Not
    /// needed with `--state`, which holds one.
    #[arg(long, required_unless_present = "state")]
    trust: Option<PathBuf>,
    /// Pinned authority key that signs trust lists (repeatable): base64url
    /// public key (optionally `ed25519:` / `p256:` / `sm2:` first; an SM2
    /// key needs it), or a file of the
    /// JSON the platform's `GET /admin/trust/authority-keys` returns.
    #[arg(long = "authority-key")]
    authority_keys: Vec<String>,
    /// Accept an unsigned trust list (development only).
    #[arg(long)]
    allow_unsigned_trust: bool,
}

impl TrustArgs {
    /// The trust list from `--trust`: signed and verified against the pinned
    /// `--authority-key`s, or unsigned only with `--allow-unsigned-trust`.
    pub fn load(&self, now: u64) -> Result<TrustList, String> {
        Ok(match self.anchor(now)? {
            Ok(anchor) => anchor
                .trust_list()
                .cloned()
                .unwrap_or_else(|| TrustList::new(0, 0, Vec::new())),
            Err(unsigned) => unsigned,
        })
    }

    /// The pinned keys with the signed list installed through them, or the
    /// unsigned list (only with `--allow-unsigned-trust`).
    pub fn anchor(&self, now: u64) -> Result<Result<TrustAnchor, TrustList>, String> {
        let path = self.trust.as_ref().ok_or("--trust is required")?;
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        let refused = |error: TrustListError| {
            format!(
                "trust list refused: {}: {} / {}",
                error.code(),
                error.message(Locale::ZhCn),
                error.message(Locale::En)
            )
        };
        match SignedTrustList::from_json(&text) {
            Ok(signed) => {
                let mut pins = Vec::new();
                for pin in &self.authority_keys {
                    let pin_path = Path::new(pin);
                    let pin_text = if pin_path.is_file() {
                        std::fs::read_to_string(pin_path)
                            .map_err(|error| format!("{}: {error}", pin_path.display()))?
                    } else {
                        pin.clone()
                    };
                    pins.extend(
                        AuthorityKey::parse_pins(&pin_text)
                            .map_err(|error| format!("--authority-key {pin}: {error}"))?,
                    );
                }
                if pins.is_empty() {
                    return Err(
                        "a signed trust list needs --authority-key (the pinned authority key)"
                            .into(),
                    );
                }
                let mut anchor = TrustAnchor::new(pins);
                anchor.install(&signed, now).map_err(refused)?;
                Ok(Ok(anchor))
            }
            Err(TrustListError::Unsigned) if self.allow_unsigned_trust => {
                eprintln!(
                    "warning: using an UNSIGNED trust list (--allow-unsigned-trust; development only)"
                );
                TrustList::from_json(&text).map(Err).map_err(refused)
            }
            Err(error) => Err(refused(error)),
        }
    }
}

/// The largest PNG file read, bytes.
const MAX_IMAGE_BYTES: u64 = 8 * 1024 * 1024;
/// The largest image decoded, pixels (a 2,048 × 2,048 photo of a code is
/// plenty; the decoded image then stays under 20 MB).
const MAX_IMAGE_PIXELS: u64 = 2_048 * 2_048;

/// The code text from the argument: literal text, or a PNG to scan.
fn read_code(argument: &str) -> Result<String, String> {
    let path = Path::new(argument);
    if argument.starts_with(ecard_credential::CODE_PREFIX) || !path.is_file() {
        return Ok(argument.to_owned());
    }
    let file = std::fs::File::open(path).map_err(|error| format!("{argument}: {error}"))?;
    let bytes = file
        .metadata()
        .map_err(|error| format!("{argument}: {error}"))?
        .len();
    if bytes > MAX_IMAGE_BYTES {
        return Err(format!(
            "{argument}: image too large ({bytes} bytes; at most {MAX_IMAGE_BYTES})"
        ));
    }
    // The header's dimensions are checked before any pixel is decoded: a
    // small file can declare a huge image (a decompression bomb).
    let mut decoder = png::Decoder::new_with_limits(
        std::io::BufReader::new(file),
        png::Limits {
            bytes: (MAX_IMAGE_PIXELS * 4) as usize,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let header = decoder
        .read_header_info()
        .map_err(|error| format!("{argument}: not a PNG image: {error}"))?;
    let pixels = u64::from(header.width) * u64::from(header.height);
    if pixels > MAX_IMAGE_PIXELS {
        return Err(format!(
            "{argument}: image too large ({} × {} pixels; at most {MAX_IMAGE_PIXELS} pixels)",
            header.width, header.height
        ));
    }
    let mut reader = decoder
        .read_info()
        .map_err(|error| format!("{argument}: not a PNG image: {error}"))?;
    let size = reader.output_buffer_size().ok_or("image too large")?;
    let mut pixels = vec![0; size];
    let info = reader
        .next_frame(&mut pixels)
        .map_err(|error| format!("{argument}: {error}"))?;
    let channels = info.color_type.samples();
    let width = info.width as usize;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, info.height as usize, |x, y| {
            pixels[(y * width + x) * channels]
        });
    let grids = image.detect_grids();
    let grid = grids
        .first()
        .ok_or_else(|| format!("{argument}: no QR code found in the image"))?;
    grid.decode()
        .map(|(_, text)| text)
        .map_err(|error| format!("{argument}: the QR code could not be decoded: {error}"))
}

fn print_result(result: &Result<VerifiedPresentation, VerifyError>, as_json: bool) {
    match result {
        Ok(verified) => {
            let status = match verified.status {
                StatusCheck::Checked { sequence } => json!({"checked": true, "sequence": sequence}),
                StatusCheck::Unchecked => json!({"checked": false}),
            };
            let line = json!({
                "valid": true,
                "purpose": verified.purpose.name(),
                "disclosure": verified.disclosure,
                "on_behalf": verified.on_behalf,
                "issued_at": verified.issued_at,
                "counter": verified.counter,
                "credential_not_after": verified.credential_not_after,
                "issuer": verified.issuer,
                "status": status,
            });
            if as_json {
                println!("{line}");
            } else {
                println!(
                    "VALID {}",
                    serde_json::to_string_pretty(&line).unwrap_or_default()
                );
            }
        }
        Err(error) => {
            let line = json!({
                "valid": false,
                "error": error.code(),
                "message_zh": error.message(Locale::ZhCn),
                "message_en": error.message(Locale::En),
            });
            if as_json {
                println!("{line}");
            } else {
                println!(
                    "REFUSED {}: {} / {}",
                    error.code(),
                    error.message(Locale::ZhCn),
                    error.message(Locale::En)
                );
            }
        }
    }
}
