//! Any bytes as a photo and as document, phone and address text. Must
//! never panic.
#![no_main]

use ecard_documents::{Date, DocumentType, PhotoRules, detect, jpeg_dimensions, validate, validate_address, validate_phone, validate_photo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jpeg_dimensions(data);
    let _ = validate_photo(data, &PhotoRules::NATIONAL);
    let text = String::from_utf8_lossy(data);
    let today = Date::new(2026, 11, 26).expect("a date");
    for kind in DocumentType::ALL {
        let _ = validate(kind, &text, today);
    }
    let _ = detect(&text, today);
    let _ = validate_phone(&text);
    let _ = validate_address(&text);
    let _ = ecard_documents::mask(&text);
});
