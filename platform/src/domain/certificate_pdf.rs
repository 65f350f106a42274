//! The certificate's PDF (参保证明): one A4 page in Chinese with a
//! subsetted CJK font, the participation table or the contribution months
//! per year, the verification code and a QR code of the check URL.
//!
//! Drawn with `krilla` (pure Rust: it shapes the text, subsets the font to
//! the glyphs used and writes the text's Unicode mapping, so text
//! extractors and screen readers read the Chinese back). The font is a
//! system CJK font (Debian's `fonts-wqy-microhei` or `fonts-noto-cjk`,
//! which `scripts/test` installs), found once and kept: without one there
//! is no certificate rather than a PDF of empty boxes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

/// Where Debian installs the CJK fonts a certificate can use, in order of
/// preference.
pub const DEFAULT_FONT_PATHS: [&str; 6] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No usable CJK font at the configured path or the default ones.
    #[error("no CJK font for certificates (looked at {0})")]
    NoFont(String),
    /// The PDF writer failed.
    #[error("PDF writer: {0}")]
    Writer(String),
}

/// The certificates' font: the configured file, or the first of
/// [`DEFAULT_FONT_PATHS`] that exists; read and parsed once.
pub struct CertificateFont {
    configured: Option<PathBuf>,
    loaded: OnceLock<Result<Font, String>>,
}

impl CertificateFont {
    /// A font at `configured` (only there), or at the default paths.
    pub fn new(configured: Option<PathBuf>) -> CertificateFont {
        CertificateFont {
            configured,
            loaded: OnceLock::new(),
        }
    }

    /// The font, loaded at the first call.
    pub fn font(&self) -> Result<Font, PdfError> {
        self.loaded
            .get_or_init(|| self.load())
            .clone()
            .map_err(PdfError::NoFont)
    }

    fn load(&self) -> Result<Font, String> {
        let candidates: Vec<PathBuf> = match &self.configured {
            Some(path) => vec![path.clone()],
            None => DEFAULT_FONT_PATHS.iter().map(PathBuf::from).collect(),
        };
        for path in &candidates {
            if let Some(font) = read_font(path) {
                return Ok(font);
            }
        }
        Err(candidates
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join(", "))
    }
}

fn read_font(path: &Path) -> Option<Font> {
    let bytes = std::fs::read(path).ok()?;
    Font::new(Arc::new(bytes).into(), 0)
}

/// One line of a table.
pub type Row = Vec<String>;

/// What a certificate page shows.
pub struct CertificateContent {
    /// `社会保险参保证明`.
    pub title: String,
    /// Under the title (`参保情况` or `缴费记录`).
    pub subtitle: String,
    /// Label–value lines above the table.
    pub facts: Vec<(String, String)>,
    /// The table's column heads.
    pub columns: Vec<String>,
    /// The table's rows.
    pub rows: Vec<Row>,
    /// Label–value lines below the table.
    pub closing: Vec<(String, String)>,
    /// Encoded in the QR code and printed under it.
    pub check_url: String,
    /// Small print at the foot.
    pub notes: Vec<String>,
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

/// The PDF of `content`.
pub fn render(font: &Font, content: &CertificateContent) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(content.title.clone())
            .creator("ecard platform".to_owned())
            .producer("ecard platform (krilla)".to_owned()),
    );
    // Rows per page: the first page carries the facts above the table, and
    // the last one the closing lines with the QR code beside them, above
    // the small print — these counts keep them clear of each other.
    let (first_page_rows, further_page_rows) = (24, 34);
    let mut chunks: Vec<&[Row]> = Vec::new();
    let mut rest: &[Row] = &content.rows;
    loop {
        let take = if chunks.is_empty() {
            first_page_rows
        } else {
            further_page_rows
        };
        let (page, after) = rest.split_at(take.min(rest.len()));
        chunks.push(page);
        rest = after;
        if rest.is_empty() {
            break;
        }
    }
    let pages = chunks.len();
    for (index, rows) in chunks.into_iter().enumerate() {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT)
            .ok_or_else(|| PdfError::Writer("page size".to_owned()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut y = MARGIN + 10.0;
        let text = |surface: &mut Surface<'_>, x: f32, y: f32, size: f32, line: &str| {
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                line,
                false,
                TextDirection::Auto,
            );
        };
        if index == 0 {
            let title_size = 22.0;
            let title_width = content.title.chars().count() as f32 * title_size;
            text(
                &mut surface,
                (WIDTH - title_width) / 2.0,
                y + title_size,
                title_size,
                &content.title,
            );
            y += title_size + 18.0;
            let subtitle_width = content.subtitle.chars().count() as f32 * 12.0;
            text(
                &mut surface,
                (WIDTH - subtitle_width) / 2.0,
                y,
                12.0,
                &content.subtitle,
            );
            y += 28.0;
            for (label, value) in &content.facts {
                text(&mut surface, MARGIN, y, 11.0, &format!("{label}：{value}"));
                y += 18.0;
            }
            y += 6.0;
        } else {
            text(
                &mut surface,
                MARGIN,
                y,
                11.0,
                &format!("{}（续，第 {} 页）", content.title, index + 1),
            );
            y += 24.0;
        }
        // The table.
        let columns = content.columns.len().max(1);
        let column_width = (WIDTH - 2.0 * MARGIN) / columns as f32;
        let line = |surface: &mut Surface<'_>, y: f32| {
            if let Some(rect) = Rect::from_xywh(MARGIN, y, WIDTH - 2.0 * MARGIN, 0.6) {
                let mut builder = PathBuilder::new();
                builder.push_rect(rect);
                if let Some(path) = builder.finish() {
                    surface.draw_path(&path);
                }
            }
        };
        let cells = |surface: &mut Surface<'_>, y: f32, size: f32, row: &[String]| {
            for (column, cell) in row.iter().enumerate() {
                let x = MARGIN + column as f32 * column_width + 2.0;
                text(surface, x, y, size, cell);
            }
        };
        line(&mut surface, y - 12.0);
        cells(&mut surface, y, 10.0, &content.columns);
        y += 6.0;
        line(&mut surface, y);
        y += 13.0;
        for row in rows {
            cells(&mut surface, y, 9.5, row);
            y += 14.0;
        }
        line(&mut surface, y - 9.0);
        y += 14.0;
        if index + 1 == pages {
            // The QR code of the check URL, right of the closing lines.
            let size = 110.0;
            let qr_x = WIDTH - MARGIN - size;
            let qr_y = y - 12.0;
            for (label, value) in &content.closing {
                text(&mut surface, MARGIN, y, 11.0, &format!("{label}：{value}"));
                y += 18.0;
            }
            draw_qr(&mut surface, &content.check_url, qr_x, qr_y, size)?;
            text(
                &mut surface,
                qr_x + 22.0,
                qr_y + size + 14.0,
                10.0,
                "扫码核验",
            );
            let mut note_y = HEIGHT - MARGIN - 30.0;
            text(&mut surface, MARGIN, note_y, 8.0, &content.check_url);
            for note in &content.notes {
                note_y += 12.0;
                text(&mut surface, MARGIN, note_y, 8.0, note);
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| PdfError::Writer(format!("{error:?}")))
}

/// Draws the QR code of `text` with its dark modules as one path.
fn draw_qr(
    surface: &mut Surface<'_>,
    text: &str,
    x: f32,
    y: f32,
    size: f32,
) -> Result<(), PdfError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|error| PdfError::Writer(format!("QR code: {error}")))?;
    let width = code.width();
    let colors = code.to_colors();
    // A quiet zone of four modules on each side.
    let module = size / (width + 8) as f32;
    let mut builder = PathBuilder::new();
    for row in 0..width {
        let mut column = 0;
        while column < width {
            if colors[row * width + column] == qrcode::Color::Dark {
                let start = column;
                while column < width && colors[row * width + column] == qrcode::Color::Dark {
                    column += 1;
                }
                if let Some(rect) = Rect::from_xywh(
                    x + (start + 4) as f32 * module,
                    y + (row + 4) as f32 * module,
                    (column - start) as f32 * module,
                    module,
                ) {
                    builder.push_rect(rect);
                }
            } else {
                column += 1;
            }
        }
    }
    if let Some(path) = builder.finish() {
        surface.draw_path(&path);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_long_table_runs_over_pages_and_a_missing_font_is_an_error() {
        let font = CertificateFont::new(std::env::var_os("ECARD_CERTIFICATE_FONT").map(Into::into))
            .font()
            .expect("a CJK font: apt-get install fonts-wqy-microhei (scripts/test installs it)");
        let content = CertificateContent {
            title: "社会保险参保证明".to_owned(),
            subtitle: "（缴费记录）".to_owned(),
            facts: vec![("姓名".to_owned(), "刘**".to_owned())],
            columns: vec!["年度".to_owned(), "养老保险(月)".to_owned()],
            rows: (1960..2030)
                .map(|year| vec![year.to_string(), "12".to_owned()])
                .collect(),
            closing: vec![("验证码".to_owned(), "0123456789ABCDEF".to_owned())],
            check_url: "https://ecard.example/v1/certificate-checks/0123456789ABCDEF".to_owned(),
            notes: vec!["样例".to_owned()],
        };
        let pdf = render(&font, &content).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200 * 1024, "{} bytes", pdf.len());

        let missing = CertificateFont::new(Some(PathBuf::from("/nonexistent/font.ttc")));
        assert!(matches!(missing.font(), Err(PdfError::NoFont(_))));
    }
}
