//! QR rendering of code text: the module matrix, SVG and PNG for the native
//! UIs, and text for terminals.
//!
//! Codes are encoded at error-correction level M in alphanumeric mode (the
//! base45 text needs no other), in the smallest version that holds them.
//! The encoder's own segmentation can split a run of digits into a numeric
//! segment whose extra header costs more than it saves, pushing a code that
//! fits one version into the next, so an all-alphanumeric text is also tried
//! as a single segment and the smaller symbol kept.

use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

/// Width of the light border around the symbol, in modules (ISO/IEC 18004).
pub const QUIET_ZONE: usize = 4;

/// A rendered QR symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrMatrix {
    version: u8,
    width: usize,
    modules: Vec<bool>,
}

/// The text does not fit any QR version at level M.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the code is too long for a QR symbol")]
pub struct QrTooLong;

/// The characters of QR alphanumeric mode (and of Base45).
fn is_alphanumeric(byte: u8) -> bool {
    byte.is_ascii_digit() || byte.is_ascii_uppercase() || b" $%*+-./:".contains(&byte)
}

/// `text` as one alphanumeric segment at level M, in the smallest version
/// that holds it; `None` when it has other characters or fits no version.
fn single_alphanumeric_segment(text: &[u8]) -> Option<Bits> {
    if !text.iter().copied().all(is_alphanumeric) {
        return None;
    }
    (1..=40).find_map(|version| {
        let mut bits = Bits::new(Version::Normal(version));
        bits.push_alphanumeric_data(text).ok()?;
        bits.push_terminator(EcLevel::M).ok()?;
        Some(bits)
    })
}

/// A version's number; 0 for a Micro QR version, never made here.
fn normal_version(version: Version) -> i16 {
    match version {
        Version::Normal(version) => version,
        Version::Micro(_) => 0,
    }
}

impl QrMatrix {
    /// Encodes `text` at error-correction level M.
    pub fn encode(text: &str) -> Result<QrMatrix, QrTooLong> {
        // The two encodings are compared as bit streams: only the chosen
        // one is laid out as a symbol (the matrix and its mask are the
        // costly part).
        let segmented = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).ok();
        let bits = match (segmented, single_alphanumeric_segment(text.as_bytes())) {
            (Some(segmented), Some(single)) => {
                if normal_version(single.version()) < normal_version(segmented.version()) {
                    single
                } else {
                    segmented
                }
            }
            (Some(bits), None) | (None, Some(bits)) => bits,
            (None, None) => return Err(QrTooLong),
        };
        let code = QrCode::with_bits(bits, EcLevel::M).map_err(|_| QrTooLong)?;
        let version = u8::try_from(normal_version(code.version())).map_err(|_| QrTooLong)?;
        if version == 0 {
            return Err(QrTooLong);
        }
        let width = code.width();
        let modules = code
            .to_colors()
            .into_iter()
            .map(|color| color == qrcode::Color::Dark)
            .collect();
        Ok(QrMatrix {
            version,
            width,
            modules,
        })
    }

    /// The QR version (1–40).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The error-correction level, always `M`.
    pub fn ecc(&self) -> char {
        'M'
    }

    /// Modules per side, without quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark; outside is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.modules[y * self.width + x]
    }

    /// Rows of booleans (dark = true), for UIs that draw modules themselves.
    pub fn rows(&self) -> Vec<Vec<bool>> {
        self.modules
            .chunks(self.width)
            .map(<[bool]>::to_vec)
            .collect()
    }

    /// An SVG document, one path, `module_size` user units a module.
    pub fn to_svg(&self, module_size: usize) -> String {
        let side = (self.width + 2 * QUIET_ZONE) * module_size;
        let mut path = String::new();
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    let (left, top) = (
                        (x + QUIET_ZONE) * module_size,
                        (y + QUIET_ZONE) * module_size,
                    );
                    path.push_str(&format!(
                        "M{left} {top}h{module_size}v{module_size}h-{module_size}z"
                    ));
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"{side}\" height=\"{side}\" shape-rendering=\"crispEdges\">\
<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
        )
    }

    /// A greyscale PNG, `module_size` pixels a module, with the quiet zone.
    #[cfg(feature = "png")]
    pub fn to_png(&self, module_size: usize) -> Vec<u8> {
        let module_size = module_size.max(1);
        let side = (self.width + 2 * QUIET_ZONE) * module_size;
        let mut pixels = Vec::with_capacity(side * side);
        for row in 0..side {
            let y = (row / module_size).wrapping_sub(QUIET_ZONE);
            for column in 0..side {
                let x = (column / module_size).wrapping_sub(QUIET_ZONE);
                pixels.push(if self.is_dark(x, y) { 0u8 } else { 255u8 });
            }
        }
        let mut out = Vec::new();
        let side32 = u32::try_from(side).unwrap_or(u32::MAX);
        let mut encoder = png::Encoder::new(&mut out, side32, side32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&pixels));
        // Writing to a Vec cannot fail for a well-formed header and data.
        if written.is_err() {
            out.clear();
        }
        out
    }

    /// Text for a terminal: two rows of modules per line with half blocks,
    /// dark modules drawn as spaces on a light background so the symbol
    /// scans on dark-themed terminals too.
    pub fn to_terminal(&self) -> String {
        let side = self.width + 2 * QUIET_ZONE;
        let dark = |x: usize, y: usize| {
            self.is_dark(x.wrapping_sub(QUIET_ZONE), y.wrapping_sub(QUIET_ZONE))
        };
        let mut out = String::with_capacity(side * side / 2 * 3);
        for y in (0..side).step_by(2) {
            for x in 0..side {
                let upper = dark(x, y);
                let lower = y + 1 < side && dark(x, y + 1);
                out.push(match (upper, lower) {
                    (false, false) => '█',
                    (false, true) => '▀',
                    (true, false) => '▄',
                    (true, true) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    /// A 309-character code (the largest format-2 length) whose digit runs
    /// made the encoder's segmentation choose version 11, although one
    /// alphanumeric segment fits version 10 (found by a random search; seen
    /// once in a full test run).
    const SPLIT_BY_DIGIT_RUNS: &str = "EC1:209A543R31087206K5L-IC67O97383E2T3-XR8R/99F0J1 :2IYV13HD4J81J9 W$N6PA1/LN//674Q25779Z8%X23C6N62YUH9330 G4XU2R7Z:S2X7ISZ077.-2/11TV29ZKS9N5QUY56+6E$H8873$077CUW2102PT0:UMW6ER1I39057C11SH26529G7EZ8Y Z4I264K6%86-M26Z5LR3R41+63$7.9G46%P+3496DG4XA/422MHQX54650T51RG13/7 BZ39515941U0KEQ*EY499W07RN1CWA1X1ZHZW073";

    #[test]
    fn an_alphanumeric_code_takes_the_smaller_of_segmented_and_single_segment() {
        assert_eq!(SPLIT_BY_DIGIT_RUNS.len(), 309);
        let segmented =
            QrCode::with_error_correction_level(SPLIT_BY_DIGIT_RUNS.as_bytes(), EcLevel::M)
                .unwrap();
        assert_eq!(segmented.version(), Version::Normal(11));
        let matrix = QrMatrix::encode(SPLIT_BY_DIGIT_RUNS).unwrap();
        assert_eq!(matrix.version(), 10);
        assert_eq!(matrix.width(), 57);
    }

    #[test]
    fn text_outside_the_alphanumeric_set_is_still_encoded() {
        let matrix = QrMatrix::encode("ec1:lower case").unwrap();
        assert_eq!(matrix.version(), 1);
        assert!(QrMatrix::encode(&"x".repeat(5_000)).is_err());
    }
}
