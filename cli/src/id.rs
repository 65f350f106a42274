//! `ecard id check`: checks an identity document number offline, with the
//! same rules and messages the app's application form uses.

use std::process::ExitCode;

use clap::Args;
use ecard_credential::Locale;
use ecard_documents::{Date, DocumentError, DocumentType, detect, guess_type, mask, validate};
use serde_json::json;

#[derive(Args)]
pub struct IdCheckArgs {
    /// The document number (spaces and full-width characters are fine).
    number: String,
    /// The document type: resident_id, residence_permit,
    /// foreign_permanent_resident_id, home_return_permit,
    /// taiwan_travel_permit or passport. Guessed from the number when omitted.
    #[arg(long = "type")]
    document_type: Option<String>,
    /// Print one JSON line.
    #[arg(long)]
    json: bool,
}

/// Checks the number: exit code 0 when valid, 1 when not; an unknown
/// `--type` is an error (exit code 2 from `main`).
pub fn run(args: &IdCheckArgs) -> Result<ExitCode, String> {
    let requested = match &args.document_type {
        Some(name) => Some(DocumentType::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = DocumentType::ALL.iter().map(|t| t.name()).collect();
            format!(
                "unknown document type {name:?}; expected one of: {}",
                names.join(", ")
            )
        })?),
        None => None,
    };
    let today = Date::today();
    let (document_type, result) = match requested {
        Some(document_type) => (
            Some(document_type),
            validate(document_type, &args.number, today),
        ),
        None => {
            let result = detect(&args.number, today);
            let document_type = match &result {
                Ok(document) => Some(document.document_type()),
                Err(_) => guess_type(&args.number),
            };
            (document_type, result)
        }
    };
    let error = result.as_ref().err();
    let (message_zh, message_en) = messages(error);
    if args.json {
        println!(
            "{}",
            json!({
                "valid": error.is_none(),
                "type": document_type.map(DocumentType::name),
                "error": error.map(DocumentError::code),
                "message_zh": message_zh,
                "message_en": message_en,
            })
        );
    } else {
        let type_name = document_type.map_or("unknown type", DocumentType::name);
        // The number is shown masked: this line may end up in a terminal log.
        let masked = mask(&args.number);
        match error {
            None => println!("valid {type_name} {masked}: {message_zh} / {message_en}"),
            Some(error) => println!(
                "invalid {type_name} {masked} ({}): {message_zh} / {message_en}",
                error.code()
            ),
        }
    }
    Ok(if error.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The zh-CN and English messages for the outcome.
fn messages(error: Option<&DocumentError>) -> (String, String) {
    match error {
        None => (
            "证件号码格式正确".to_owned(),
            "The document number is valid".to_owned(),
        ),
        Some(error) => (error.message(Locale::ZhCn), error.message(Locale::En)),
    }
}
