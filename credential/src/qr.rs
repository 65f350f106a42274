//! QR rendering of code text: the module matrix, SVG and PNG for the native
//! UIs, and text for terminals.
//!
//! Codes are encoded at error-correction level M in alphanumeric mode (the
//! base45 text needs no other), in the smallest version that holds them.

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

impl QrMatrix {
    /// Encodes `text` at error-correction level M.
    pub fn encode(text: &str) -> Result<QrMatrix, QrTooLong> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| QrTooLong)?;
        let version = match code.version() {
            Version::Normal(version) => u8::try_from(version).map_err(|_| QrTooLong)?,
            Version::Micro(_) => return Err(QrTooLong),
        };
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
