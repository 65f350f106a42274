//! QR renderings of a code's text, made by the credential crate's encoder
//! so every app draws exactly the symbol terminals were tested against.
//!
//! Two shapes: the module matrix for drawing natively (Compose `Canvas`,
//! SwiftUI `Canvas`, or a bitmap for a widget: crisp at any size, no image
//! scaling) and an SVG for web views. No PNG encoder: the platforms have
//! their own, and it cost the shipped library about 50 KB.
//! Pure computation, no I/O: safe on the main thread (about a millisecond).

use ecard_credential::QrMatrix;

use crate::error::EcardError;
use ecard_credential::Locale;

/// The modules of a QR symbol, row by row, without the quiet zone.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct QrModules {
    /// QR version (1–40), at error-correction level M.
    pub version: u8,
    /// Modules per side.
    pub width: u32,
    /// `width × width` entries, row-major: 1 = dark, 0 = light. Leave a
    /// quiet zone of four modules around it when drawing.
    pub dark: Vec<u8>,
}

fn encode(text: &str, language: Locale) -> Result<QrMatrix, EcardError> {
    QrMatrix::encode(text).map_err(|_| EcardError::internal("qr_too_long", language))
}

/// The module matrix of `text` at ECC M.
#[uniffi::export]
pub fn qr_matrix(text: String) -> Result<QrModules, EcardError> {
    let matrix = encode(&text, Locale::ZhCn)?;
    let width = matrix.width();
    let dark = matrix.rows().into_iter().flatten().map(u8::from).collect();
    Ok(QrModules {
        version: matrix.version(),
        width: u32::try_from(width)
            .map_err(|_| EcardError::internal("qr_too_long", Locale::ZhCn))?,
        dark,
    })
}

/// An SVG of `text`, `module_pixels` user units a module, with the quiet zone.
#[uniffi::export]
pub fn qr_svg(text: String, module_pixels: u32) -> Result<String, EcardError> {
    Ok(encode(&text, Locale::ZhCn)?.to_svg(module_pixels as usize))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn renderings_agree() {
        let text = "EC1:ABC123".to_owned();
        let modules = qr_matrix(text.clone()).unwrap();
        assert_eq!(modules.dark.len(), (modules.width * modules.width) as usize);
        assert!(modules.dark.contains(&1));
        let encoded = QrMatrix::encode(&text).unwrap();
        assert_eq!(modules.version, encoded.version());
        let rows: Vec<u8> = encoded.rows().into_iter().flatten().map(u8::from).collect();
        assert_eq!(modules.dark, rows);
        assert!(qr_svg(text, 4).unwrap().starts_with("<"));
        assert!(qr_matrix("X".repeat(5_000)).is_err());
    }
}
