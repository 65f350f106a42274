//! `ecard verify`: offline verification of a code, as a terminal does it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use ecard_credential::{
    AuthorityKey, Locale, Purpose, SignedTrustList, StatusCheck, TrustList, TrustListError,
    VerifiedPresentation, Verifier, VerifierPolicy, VerifyError,
};
use serde_json::json;

use crate::output::{now, parse_purpose};

#[derive(Args)]
pub struct VerifyArgs {
    /// The code text (starting `EC1:`) or the path of a PNG image of it.
    code: String,
    /// Trust list: the signed envelope the platform serves (JSON).
    #[arg(long)]
    trust: PathBuf,
    /// Pinned authority key that signs trust lists (repeatable): base64url
    /// public key (optionally `ed25519:` / `p256:` first), or a file of the
    /// JSON the platform's `GET /admin/trust/authority-keys` returns.
    #[arg(long = "authority-key")]
    authority_keys: Vec<String>,
    /// Accept an unsigned trust list (development only).
    #[arg(long)]
    allow_unsigned_trust: bool,
    /// Signed status list (binary, as the platform serves it).
    #[arg(long)]
    status: Option<PathBuf>,
    /// Purposes this terminal accepts (repeatable); all when omitted.
    #[arg(long = "purpose", value_parser = parse_purpose)]
    purposes: Vec<Purpose>,
    /// Refuse codes no current status list covers.
    #[arg(long)]
    require_status: bool,
    /// Verify at this Unix time instead of now.
    #[arg(long)]
    now: Option<u64>,
    /// Print one JSON line.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &VerifyArgs) -> Result<ExitCode, String> {
    let now = args.now.unwrap_or_else(now);
    let trust = load_trust(args, now)?;
    let purposes = if args.purposes.is_empty() {
        Purpose::ALL.to_vec()
    } else {
        args.purposes.clone()
    };
    let mut policy = VerifierPolicy::for_purposes(&purposes);
    policy.require_status = args.require_status;
    let mut verifier = Verifier::new(&trust, policy).map_err(|error| error.to_string())?;
    if let Some(path) = &args.status {
        let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
        verifier
            .install_status_list(&bytes, now)
            .map_err(|error| format!("status list: {error}"))?;
    }
    let code = read_code(&args.code)?;
    let result = verifier.verify(&code, now);
    print_result(&result, args.json);
    Ok(if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The trust list from `--trust`: signed and verified against the pinned
/// `--authority-key`s, or unsigned only with `--allow-unsigned-trust`.
fn load_trust(args: &VerifyArgs, now: u64) -> Result<TrustList, String> {
    let text = std::fs::read_to_string(&args.trust)
        .map_err(|error| format!("{}: {error}", args.trust.display()))?;
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
            for pin in &args.authority_keys {
                let path = Path::new(pin);
                let pin_text = if path.is_file() {
                    std::fs::read_to_string(path)
                        .map_err(|error| format!("{}: {error}", path.display()))?
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
                    "a signed trust list needs --authority-key (the pinned authority key)".into(),
                );
            }
            signed.verify(&pins, None, now).map_err(refused)
        }
        Err(TrustListError::Unsigned) if args.allow_unsigned_trust => {
            eprintln!(
                "warning: using an UNSIGNED trust list (--allow-unsigned-trust; development only)"
            );
            TrustList::from_json(&text).map_err(refused)
        }
        Err(error) => Err(refused(error)),
    }
}

/// The code text from the argument: literal text, or a PNG to scan.
fn read_code(argument: &str) -> Result<String, String> {
    let path = Path::new(argument);
    if argument.starts_with(ecard_credential::CODE_PREFIX) || !path.is_file() {
        return Ok(argument.to_owned());
    }
    let file = std::fs::File::open(path).map_err(|error| format!("{argument}: {error}"))?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
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
