//! Why a card photo was refused: one variant per photo rule.
//!
//! The errors live beside the photo rules in [`photo`](super), so that a new
//! rule, its stable code and its zh-CN / en message are written, reviewed and
//! tested together. The codes (all `photo_…`) and the message texts are a
//! contract with the apps and the logs: never change or reuse one. Sizes in
//! messages are in kilobytes of 1024 bytes, rounded away from the limit.

use ecard_credential::Locale;

use super::ImageFormat;

/// A card photo was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// No photo was given.
    #[error("the photo is empty")]
    Empty,
    /// The photo is not a JPEG.
    #[error("the photo is {format}, not JPEG")]
    NotJpeg {
        /// What the file is instead.
        format: ImageFormat,
    },
    /// The JPEG ends before its structure does.
    #[error("the photo file ends too early")]
    Truncated,
    /// The JPEG's structure is broken.
    #[error("the photo file is damaged")]
    Corrupt,
    /// Width or height is below the minimum.
    #[error("the photo is {width}x{height} pixels, below {min_width}x{min_height}")]
    TooSmall {
        /// The photo's width in pixels.
        width: u32,
        /// The photo's height in pixels.
        height: u32,
        /// The smallest width allowed.
        min_width: u32,
        /// The largest width allowed.
        max_width: u32,
        /// The smallest height allowed.
        min_height: u32,
        /// The largest height allowed.
        max_height: u32,
    },
    /// Width or height is above the maximum.
    #[error("the photo is {width}x{height} pixels, above {max_width}x{max_height}")]
    TooLarge {
        /// The photo's width in pixels.
        width: u32,
        /// The photo's height in pixels.
        height: u32,
        /// The smallest width allowed.
        min_width: u32,
        /// The largest width allowed.
        max_width: u32,
        /// The smallest height allowed.
        min_height: u32,
        /// The largest height allowed.
        max_height: u32,
    },
    /// The file is smaller than the minimum.
    #[error("the photo file has {bytes} bytes, fewer than {min_bytes}")]
    FileTooSmall {
        /// The file's size.
        bytes: u64,
        /// The smallest size allowed.
        min_bytes: u64,
    },
    /// The file is larger than the maximum.
    #[error("the photo file has {bytes} bytes, more than {max_bytes}")]
    FileTooLarge {
        /// The file's size.
        bytes: u64,
        /// The largest size allowed.
        max_bytes: u64,
    },
}

impl PhotoError {
    /// The stable code of this error: snake_case, starting `photo_`,
    /// never reused.
    pub const fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "photo_empty",
            PhotoError::NotJpeg { .. } => "photo_not_jpeg",
            PhotoError::Truncated => "photo_truncated",
            PhotoError::Corrupt => "photo_corrupt",
            PhotoError::TooSmall { .. } => "photo_too_small",
            PhotoError::TooLarge { .. } => "photo_too_large",
            PhotoError::FileTooSmall { .. } => "photo_file_too_small",
            PhotoError::FileTooLarge { .. } => "photo_file_too_large",
        }
    }

    /// The input field at fault, so a form can highlight it: always `photo`.
    pub const fn field(&self) -> &'static str {
        "photo"
    }

    /// A plain-language sentence telling the person what to fix.
    pub fn message(&self, locale: Locale) -> String {
        let zh = matches!(locale, Locale::ZhCn);
        let text = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
        match *self {
            PhotoError::Empty => locale
                .pick("请上传照片。", "Please upload a photo.")
                .to_owned(),
            PhotoError::NotJpeg { format } => text(
                format!(
                    "照片需要是 JPG 格式，{}。请重新拍照，或换一张 JPG 照片。",
                    format.describe(locale)
                ),
                format!(
                    "The photo must be a JPG file; {}. Please take the photo again or choose a JPG photo.",
                    format.describe(locale)
                ),
            ),
            PhotoError::Truncated => locale
                .pick(
                    "照片文件不完整，可能没有传完，请重新上传。",
                    "The photo file is incomplete, perhaps not fully uploaded. \
                     Please upload it again.",
                )
                .to_owned(),
            PhotoError::Corrupt => locale
                .pick(
                    "照片文件已损坏，无法打开，请换一张照片。",
                    "The photo file is damaged and cannot be opened. Please choose another photo.",
                )
                .to_owned(),
            PhotoError::TooSmall {
                width,
                height,
                min_width,
                max_width,
                min_height,
                max_height,
            } => text(
                format!(
                    "照片尺寸太小（宽 {width}、高 {height} 像素），需要宽 {}、高 {} 像素。请重新拍照或在应用里重新裁剪。",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
                format!(
                    "The photo is too small ({width} × {height} pixels); it must be {} pixels wide and {} pixels high. \
                     Please take it again or crop it in the app.",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
            ),
            PhotoError::TooLarge {
                width,
                height,
                min_width,
                max_width,
                min_height,
                max_height,
            } => text(
                format!(
                    "照片尺寸太大（宽 {width}、高 {height} 像素），需要宽 {}、高 {} 像素。请在应用里重新裁剪。",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
                format!(
                    "The photo is too large ({width} × {height} pixels); it must be {} pixels wide and {} pixels high. \
                     Please crop it in the app.",
                    range(min_width, max_width),
                    range(min_height, max_height)
                ),
            ),
            PhotoError::FileTooSmall { bytes, min_bytes } => text(
                format!(
                    "照片文件太小（{} KB），至少需要 {} KB。请换一张更清晰的照片。",
                    kilobytes_down(bytes),
                    kilobytes_up(min_bytes)
                ),
                format!(
                    "The photo file is too small ({} KB); it must be at least {} KB. \
                     Please choose a sharper photo.",
                    kilobytes_down(bytes),
                    kilobytes_up(min_bytes)
                ),
            ),
            PhotoError::FileTooLarge { bytes, max_bytes } => text(
                format!(
                    "照片文件太大（{} KB），不能超过 {} KB。请压缩后再上传。",
                    kilobytes_up(bytes),
                    kilobytes_down(max_bytes)
                ),
                format!(
                    "The photo file is too large ({} KB); it must be at most {} KB. \
                     Please compress it and upload it again.",
                    kilobytes_up(bytes),
                    kilobytes_down(max_bytes)
                ),
            ),
        }
    }
}

/// `358` when both ends are equal, `300–400` otherwise.
fn range(min: u32, max: u32) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}–{max}")
    }
}

/// Bytes in kilobytes (1 KB = 1024 bytes) to one decimal, rounded down:
/// used where rounding up would blur the limit (a file just under 9 KB
/// must not read "9 KB").
fn kilobytes_down(bytes: u64) -> String {
    tenths(bytes.saturating_mul(10) / 1024)
}

/// Bytes in kilobytes to one decimal, rounded up.
fn kilobytes_up(bytes: u64) -> String {
    tenths(bytes.saturating_mul(10).div_ceil(1024))
}

fn tenths(tenths: u64) -> String {
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
impl PhotoError {
    /// One of every variant, and one per value where a field changes the
    /// message: the list the code and message tests walk.
    pub(crate) fn every_variant() -> Vec<PhotoError> {
        let mut errors = vec![
            PhotoError::Empty,
            PhotoError::Truncated,
            PhotoError::Corrupt,
            PhotoError::TooSmall {
                width: 100,
                height: 120,
                min_width: 358,
                max_width: 358,
                min_height: 441,
                max_height: 441,
            },
            PhotoError::TooLarge {
                width: 4000,
                height: 3000,
                min_width: 300,
                max_width: 400,
                min_height: 400,
                max_height: 500,
            },
            PhotoError::FileTooSmall {
                bytes: 9000,
                min_bytes: 9216,
            },
            PhotoError::FileTooLarge {
                bytes: 20_481,
                max_bytes: 20_480,
            },
        ];
        for format in ImageFormat::ALL {
            errors.push(PhotoError::NotJpeg { format });
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes as the apps and logs know them; a change here is a change
    /// of contract.
    const STABLE_CODES: [&str; 8] = [
        "photo_empty",
        "photo_not_jpeg",
        "photo_truncated",
        "photo_corrupt",
        "photo_too_small",
        "photo_too_large",
        "photo_file_too_small",
        "photo_file_too_large",
    ];

    #[test]
    fn codes_are_the_stable_ones_and_each_names_the_photo_field_in_both_languages() {
        crate::error::tests::check_area(
            PhotoError::every_variant()
                .into_iter()
                .map(crate::DocumentError::from)
                .collect(),
            &STABLE_CODES,
            "photo",
            "photo_",
        );
    }

    #[test]
    fn kilobytes_round_away_from_the_limit() {
        assert_eq!(kilobytes_down(9216), "9");
        assert_eq!(kilobytes_down(9215), "8.9");
        assert_eq!(kilobytes_up(20_480), "20");
        assert_eq!(kilobytes_up(20_481), "20.1");
        assert_eq!(kilobytes_up(0), "0");
        assert_eq!(kilobytes_down(u64::MAX), tenths(u64::MAX / 1024));
    }
}
