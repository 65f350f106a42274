//! Card photos: format, pixel size and file size against regional rules.
//!
//! The card is printed from the applicant's photo, and each region's card
//! bureau publishes its own limits (the national rule of thumb is 358 × 441
//! pixels, 9–20 KB, JPEG). The limits arrive as data in the regional rules
//! document ([`PhotoRules`]), not as code.
//!
//! The bytes come from a camera, a gallery or an upload, so every byte is
//! treated as hostile: the JPEG reader below walks the marker segments with
//! bounds-checked reads only, advances by at least one byte per step, stops
//! after [`MAX_SEGMENTS`] segments and never panics; it reads nothing but
//! the frame header, so no pixel data is decoded.

use std::fmt;

use ecard_credential::Locale;
use serde::{Deserialize, Serialize};

use crate::error::DocumentError;

mod error;

pub use error::PhotoError;

/// Segments the JPEG reader walks before giving up on a file.
pub const MAX_SEGMENTS: usize = 1024;

/// A region's limits for card photos. Photos must always be JPEG.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRules {
    /// Smallest width in pixels.
    pub min_width: u32,
    /// Largest width in pixels.
    pub max_width: u32,
    /// Smallest height in pixels.
    pub min_height: u32,
    /// Largest height in pixels.
    pub max_height: u32,
    /// Smallest file size in bytes.
    pub min_bytes: u64,
    /// Largest file size in bytes.
    pub max_bytes: u64,
}

impl PhotoRules {
    /// The national rule of thumb: exactly 358 × 441 pixels, 9–20 KB
    /// (1 KB = 1024 bytes).
    pub const NATIONAL: PhotoRules = PhotoRules {
        min_width: 358,
        max_width: 358,
        min_height: 441,
        max_height: 441,
        min_bytes: 9 * 1024,
        max_bytes: 20 * 1024,
    };
}

impl Default for PhotoRules {
    fn default() -> PhotoRules {
        PhotoRules::NATIONAL
    }
}

/// What a file is, judged by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// JPEG (starts `FF D8`).
    Jpeg,
    /// PNG.
    Png,
    /// GIF.
    Gif,
    /// WebP.
    Webp,
    /// HEIF/HEIC (iPhone photos) or another ISO base-media file.
    Heif,
    /// BMP.
    Bmp,
    /// TIFF.
    Tiff,
    /// PDF (a scan sent as a document).
    Pdf,
    /// Anything else.
    Unknown,
}

impl ImageFormat {
    /// Every format, for tables and tests.
    pub const ALL: [ImageFormat; 9] = [
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::Gif,
        ImageFormat::Webp,
        ImageFormat::Heif,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
        ImageFormat::Pdf,
        ImageFormat::Unknown,
    ];

    /// Judges a file by its first bytes (its "magic number").
    pub fn sniff(bytes: &[u8]) -> ImageFormat {
        match bytes {
            [0xFF, 0xD8, ..] => ImageFormat::Jpeg,
            [0x89, b'P', b'N', b'G', ..] => ImageFormat::Png,
            [b'G', b'I', b'F', b'8', ..] => ImageFormat::Gif,
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => ImageFormat::Webp,
            [_, _, _, _, b'f', b't', b'y', b'p', ..] => ImageFormat::Heif,
            [b'B', b'M', ..] => ImageFormat::Bmp,
            [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => ImageFormat::Tiff,
            [b'%', b'P', b'D', b'F', ..] => ImageFormat::Pdf,
            _ => ImageFormat::Unknown,
        }
    }

    /// The format's usual name (`PNG`), or `None` for [`ImageFormat::Unknown`].
    pub const fn name(self) -> Option<&'static str> {
        match self {
            ImageFormat::Jpeg => Some("JPG"),
            ImageFormat::Png => Some("PNG"),
            ImageFormat::Gif => Some("GIF"),
            ImageFormat::Webp => Some("WebP"),
            ImageFormat::Heif => Some("HEIC"),
            ImageFormat::Bmp => Some("BMP"),
            ImageFormat::Tiff => Some("TIFF"),
            ImageFormat::Pdf => Some("PDF"),
            ImageFormat::Unknown => None,
        }
    }

    /// "This one is a PNG file", for messages.
    pub(crate) fn describe(self, locale: Locale) -> String {
        match (self.name(), locale) {
            (Some(name), Locale::ZhCn) => format!("这张是 {name} 格式"),
            (Some(name), Locale::En) => format!("this one is a {name} file"),
            (None, _) => locale
                .pick("这个文件不是照片", "this file is not a picture")
                .to_owned(),
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name().unwrap_or("an unknown format"))
    }
}

/// A photo that met the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PhotoInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// File size in bytes.
    pub bytes: u64,
}

/// Checks a photo file against `rules`, in this order: not empty, JPEG,
/// structure intact, pixel size, file size.
pub fn validate_photo(bytes: &[u8], rules: &PhotoRules) -> Result<PhotoInfo, DocumentError> {
    check_photo(bytes, rules).map_err(DocumentError::from)
}

/// [`validate_photo`], with the photo rule that refused the file.
fn check_photo(bytes: &[u8], rules: &PhotoRules) -> Result<PhotoInfo, PhotoError> {
    let (width, height) = read_jpeg_dimensions(bytes)?;
    let PhotoRules {
        min_width,
        max_width,
        min_height,
        max_height,
        min_bytes,
        max_bytes,
    } = *rules;
    if width < min_width || height < min_height {
        return Err(PhotoError::TooSmall {
            width,
            height,
            min_width,
            max_width,
            min_height,
            max_height,
        });
    }
    if width > max_width || height > max_height {
        return Err(PhotoError::TooLarge {
            width,
            height,
            min_width,
            max_width,
            min_height,
            max_height,
        });
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size < min_bytes {
        return Err(PhotoError::FileTooSmall {
            bytes: size,
            min_bytes,
        });
    }
    if size > max_bytes {
        return Err(PhotoError::FileTooLarge {
            bytes: size,
            max_bytes,
        });
    }
    Ok(PhotoInfo {
        width,
        height,
        bytes: size,
    })
}

/// Width and height in pixels of a JPEG file, read from its frame header
/// (SOF0–SOF15), after checking the file's marker structure through to the
/// end-of-image marker: a frame header, then at least one scan, then EOI.
pub fn jpeg_dimensions(bytes: &[u8]) -> Result<(u32, u32), DocumentError> {
    read_jpeg_dimensions(bytes).map_err(DocumentError::from)
}

/// [`jpeg_dimensions`], with the photo rule that refused the file.
fn read_jpeg_dimensions(bytes: &[u8]) -> Result<(u32, u32), PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    let format = ImageFormat::sniff(bytes);
    if format != ImageFormat::Jpeg {
        return Err(PhotoError::NotJpeg { format });
    }
    let mut position = 2; // after SOI (FF D8)
    let mut dimensions = None;
    let mut scanned = false;
    for _ in 0..MAX_SEGMENTS {
        let marker = read_marker(bytes, &mut position)?;
        match marker {
            // EOI: the end. A file without a frame header has no size, one
            // without a scan has no picture.
            0xD9 => {
                return dimensions.filter(|_| scanned).ok_or(PhotoError::Corrupt);
            }
            // A second SOI, or a stuffed zero outside entropy-coded data.
            0xD8 | 0x00 => return Err(PhotoError::Corrupt),
            // TEM and RST0–7 stand alone, without a length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let length = read_u16(bytes, position)?;
        if length < 2 {
            return Err(PhotoError::Corrupt);
        }
        let end = position
            .checked_add(usize::from(length))
            .filter(|end| *end <= bytes.len())
            .ok_or(PhotoError::Truncated)?;
        let payload = bytes.get(position + 2..end).ok_or(PhotoError::Truncated)?;
        if is_frame_header(marker) && dimensions.is_none() {
            dimensions = Some(read_frame_header(payload)?);
        }
        position = end;
        if marker == 0xDA {
            // SOS: entropy-coded data follows, up to the next marker. A scan
            // before any frame header cannot be decoded.
            if dimensions.is_none() {
                return Err(PhotoError::Corrupt);
            }
            position = skip_entropy_coded_data(bytes, position)?;
            scanned = true;
        }
    }
    Err(PhotoError::Corrupt)
}

/// Reads a marker at `position` (`FF`, optional `FF` fill bytes, the marker
/// code) and moves past it.
fn read_marker(bytes: &[u8], position: &mut usize) -> Result<u8, PhotoError> {
    match bytes.get(*position) {
        None => return Err(PhotoError::Truncated),
        Some(0xFF) => *position += 1,
        Some(_) => return Err(PhotoError::Corrupt),
    }
    while let Some(&byte) = bytes.get(*position) {
        *position += 1;
        if byte != 0xFF {
            return Ok(byte);
        }
    }
    Err(PhotoError::Truncated)
}

/// A big-endian 16-bit number at `position`.
fn read_u16(bytes: &[u8], position: usize) -> Result<u16, PhotoError> {
    match (bytes.get(position), bytes.get(position + 1)) {
        (Some(&high), Some(&low)) => Ok(u16::from_be_bytes([high, low])),
        _ => Err(PhotoError::Truncated),
    }
}

/// SOF0–SOF15, leaving out DHT (C4), JPG (C8) and DAC (CC), which share
/// the range.
const fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Width and height from a frame header's payload: precision (1 byte),
/// height (2), width (2), component count (1), 3 bytes per component.
fn read_frame_header(payload: &[u8]) -> Result<(u32, u32), PhotoError> {
    let height = read_u16(payload, 1).map_err(|_| PhotoError::Corrupt)?;
    let width = read_u16(payload, 3).map_err(|_| PhotoError::Corrupt)?;
    let components = usize::from(*payload.get(5).ok_or(PhotoError::Corrupt)?);
    // Height 0 defers the height to a later DNL marker, which card photo
    // pipelines never write; treat it, like width 0, as damage.
    if width == 0 || height == 0 || components == 0 || payload.len() < 6 + 3 * components {
        return Err(PhotoError::Corrupt);
    }
    Ok((u32::from(width), u32::from(height)))
}

/// The position of the marker ending the entropy-coded data that starts at
/// `position`. Inside it, `FF 00` is a stuffed data byte, `FF D0`–`FF D7`
/// are restart markers and `FF FF` is fill; any other `FF xx` is a marker.
fn skip_entropy_coded_data(bytes: &[u8], mut position: usize) -> Result<usize, PhotoError> {
    while let Some(&byte) = bytes.get(position) {
        if byte == 0xFF {
            match bytes.get(position + 1) {
                None => break,
                Some(0x00 | 0xD0..=0xD7) => position += 2,
                Some(0xFF) => position += 1,
                Some(_) => return Ok(position),
            }
        } else {
            position += 1;
        }
    }
    Err(PhotoError::Truncated)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A segment: marker, big-endian length (payload + 2), payload.
    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let length = u16::try_from(payload.len() + 2).expect("short payload");
        let mut bytes = vec![0xFF, marker];
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    /// An SOS segment and a little entropy-coded data with a stuffed byte
    /// and a restart marker.
    fn scan() -> Vec<u8> {
        let mut bytes = segment(0xDA, &[1, 1, 0, 0, 63, 0]);
        bytes.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD7, 0x56]);
        bytes
    }

    fn frame_header(marker: u8, width: u16, height: u16) -> Vec<u8> {
        let mut payload = vec![8];
        payload.extend_from_slice(&height.to_be_bytes());
        payload.extend_from_slice(&width.to_be_bytes());
        payload.push(3);
        for component in 1..=3 {
            payload.extend_from_slice(&[component, 0x11, 0]);
        }
        segment(marker, &payload)
    }

    /// A structurally complete baseline JPEG of `width` × `height` pixels,
    /// exactly `size` bytes long (at least 200): SOI, APP0 (JFIF), DQT,
    /// SOF0, DHT, SOS, entropy-coded filler with stuffed bytes and a restart
    /// marker, EOI. No decoder could draw it, but every marker is where a
    /// real file has it.
    pub(crate) fn jpeg(width: u16, height: u16, size: usize) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend(segment(0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00"));
        bytes.extend(segment(0xDB, &[0; 65]));
        bytes.extend(frame_header(0xC0, width, height));
        bytes.extend(segment(0xC4, &[0; 29]));
        bytes.extend(segment(0xDA, &[3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]));
        let data_length = size
            .checked_sub(bytes.len() + 2)
            .expect("size of at least 200");
        let mut data: Vec<u8> = (0..data_length).map(|index| (index % 251) as u8).collect();
        for (index, byte) in data.iter_mut().enumerate() {
            if *byte == 0xFF {
                *byte = if index % 2 == 0 { 0x7F } else { 0x00 };
            }
        }
        if data.len() >= 8 {
            data[2] = 0xFF; // FF 00: a stuffed 0xFF data byte
            data[3] = 0x00;
            data[5] = 0xFF; // FF D0: a restart marker
            data[6] = 0xD0;
        }
        bytes.extend(data);
        bytes.extend([0xFF, 0xD9]);
        assert_eq!(bytes.len(), size);
        bytes
    }

    const TEST_RULES: PhotoRules = PhotoRules {
        min_width: 300,
        max_width: 400,
        min_height: 400,
        max_height: 500,
        min_bytes: 1000,
        max_bytes: 5000,
    };

    #[test]
    fn accepts_photos_within_the_rules() {
        let cases: &[(u16, u16, usize)] = &[
            (358, 441, 3000),
            (300, 400, 1000),
            (400, 500, 5000),
            (300, 500, 1000),
            (400, 400, 4999),
        ];
        for &(width, height, size) in cases {
            let info = validate_photo(&jpeg(width, height, size), &TEST_RULES)
                .unwrap_or_else(|error| panic!("{width}x{height} {size}: {error}"));
            assert_eq!(
                info,
                PhotoInfo {
                    width: u32::from(width),
                    height: u32::from(height),
                    bytes: size as u64,
                }
            );
        }
        let national = jpeg(358, 441, 12 * 1024);
        assert!(validate_photo(&national, &PhotoRules::NATIONAL).is_ok());
        assert_eq!(PhotoRules::default(), PhotoRules::NATIONAL);
    }

    #[test]
    fn refuses_photos_outside_the_rules() {
        let too_small = |width, height| PhotoError::TooSmall {
            width,
            height,
            min_width: 300,
            max_width: 400,
            min_height: 400,
            max_height: 500,
        };
        let too_large = |width, height| PhotoError::TooLarge {
            width,
            height,
            min_width: 300,
            max_width: 400,
            min_height: 400,
            max_height: 500,
        };
        let cases: &[(u16, u16, usize, PhotoError)] = &[
            (299, 441, 3000, too_small(299, 441)),
            (358, 399, 3000, too_small(358, 399)),
            (1, 1, 3000, too_small(1, 1)),
            (299, 501, 3000, too_small(299, 501)),
            (401, 441, 3000, too_large(401, 441)),
            (358, 501, 3000, too_large(358, 501)),
            (4000, 3000, 3000, too_large(4000, 3000)),
            (
                358,
                441,
                999,
                PhotoError::FileTooSmall {
                    bytes: 999,
                    min_bytes: 1000,
                },
            ),
            (
                358,
                441,
                5001,
                PhotoError::FileTooLarge {
                    bytes: 5001,
                    max_bytes: 5000,
                },
            ),
            // Pixel size is reported before file size.
            (100, 100, 9000, too_small(100, 100)),
        ];
        for &(width, height, size, expected) in cases {
            assert_eq!(
                validate_photo(&jpeg(width, height, size), &TEST_RULES),
                Err(DocumentError::Photo(expected)),
                "{width}x{height} {size}"
            );
        }
    }

    #[test]
    fn refuses_other_formats() {
        let cases: &[(&[u8], PhotoError)] = &[
            (b"", PhotoError::Empty),
            (
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
                PhotoError::NotJpeg {
                    format: ImageFormat::Png,
                },
            ),
            (
                b"GIF89a\x01\x00\x01\x00",
                PhotoError::NotJpeg {
                    format: ImageFormat::Gif,
                },
            ),
            (
                b"RIFF\x24\0\0\0WEBPVP8 ",
                PhotoError::NotJpeg {
                    format: ImageFormat::Webp,
                },
            ),
            (
                b"\0\0\0\x18ftypheic\0\0\0\0",
                PhotoError::NotJpeg {
                    format: ImageFormat::Heif,
                },
            ),
            (
                b"BM\x36\0\0\0",
                PhotoError::NotJpeg {
                    format: ImageFormat::Bmp,
                },
            ),
            (
                b"II*\0\x08\0\0\0",
                PhotoError::NotJpeg {
                    format: ImageFormat::Tiff,
                },
            ),
            (
                b"MM\0*\0\0\0\x08",
                PhotoError::NotJpeg {
                    format: ImageFormat::Tiff,
                },
            ),
            (
                b"%PDF-1.7",
                PhotoError::NotJpeg {
                    format: ImageFormat::Pdf,
                },
            ),
            (
                b"hello",
                PhotoError::NotJpeg {
                    format: ImageFormat::Unknown,
                },
            ),
            (
                b"\xFF",
                PhotoError::NotJpeg {
                    format: ImageFormat::Unknown,
                },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                validate_photo(bytes, &PhotoRules::NATIONAL),
                Err(DocumentError::Photo(*expected)),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn refuses_truncated_and_damaged_files() {
        let good = jpeg(358, 441, 600);
        let sof_at = good
            .windows(2)
            .position(|pair| pair == [0xFF, 0xC0])
            .expect("has SOF0");
        let sos_at = good
            .windows(2)
            .position(|pair| pair == [0xFF, 0xDA])
            .expect("has SOS");
        let mut without_eoi = good.clone();
        without_eoi.truncate(good.len() - 2);
        let mut bad_length = good.clone();
        bad_length[sof_at + 2] = 0xFF; // SOF0 claims 65 000 bytes
        let mut tiny_length = good.clone();
        tiny_length[sof_at + 2] = 0;
        tiny_length[sof_at + 3] = 1; // length 1: shorter than its own field
        let mut zero_width = good.clone();
        zero_width[sof_at + 7] = 0;
        zero_width[sof_at + 8] = 0;
        let mut zero_height = good.clone();
        zero_height[sof_at + 5] = 0;
        zero_height[sof_at + 6] = 0;
        let mut no_marker = good.clone();
        no_marker[2] = 0x00; // garbage where the APP0 marker should be
        let mut scan_first = good[..sof_at].to_vec();
        scan_first.extend_from_slice(&good[sos_at..]);
        let mut short_sof = vec![0xFF, 0xD8];
        short_sof.extend(segment(0xC0, &[8, 1, 0x01, 0x01]));
        short_sof.extend([0xFF, 0xD9]);
        let mut missing_components = vec![0xFF, 0xD8];
        missing_components.extend(segment(0xC0, &[8, 1, 0xB9, 1, 0x66, 3, 1, 0x11, 0]));
        missing_components.extend([0xFF, 0xD9]);
        let mut eoi_without_frame = vec![0xFF, 0xD8];
        eoi_without_frame.extend(segment(0xE0, b"JFIF\0"));
        eoi_without_frame.extend([0xFF, 0xD9]);
        let mut no_scan = vec![0xFF, 0xD8];
        no_scan.extend(frame_header(0xC0, 358, 441));
        no_scan.extend([0xFF, 0xD9]);
        let mut second_soi = vec![0xFF, 0xD8, 0xFF, 0xD8];
        second_soi.extend(frame_header(0xC0, 358, 441));
        let mut endless_comments = vec![0xFF, 0xD8];
        for _ in 0..=MAX_SEGMENTS {
            endless_comments.extend(segment(0xFE, b""));
        }
        endless_comments.extend(frame_header(0xC0, 358, 441));
        endless_comments.extend([0xFF, 0xD9]);

        let cases: Vec<(&str, Vec<u8>, PhotoError)> = vec![
            ("SOI only", vec![0xFF, 0xD8], PhotoError::Truncated),
            ("dangling FF", vec![0xFF, 0xD8, 0xFF], PhotoError::Truncated),
            (
                "fill to the end",
                vec![0xFF, 0xD8, 0xFF, 0xFF, 0xFF],
                PhotoError::Truncated,
            ),
            (
                "half a length",
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00],
                PhotoError::Truncated,
            ),
            ("cut in APP0", good[..10].to_vec(), PhotoError::Truncated),
            (
                "cut in SOF0",
                good[..sof_at + 6].to_vec(),
                PhotoError::Truncated,
            ),
            (
                "cut in the scan",
                good[..good.len() - 100].to_vec(),
                PhotoError::Truncated,
            ),
            ("no EOI", without_eoi, PhotoError::Truncated),
            ("length past the end", bad_length, PhotoError::Truncated),
            ("length below 2", tiny_length, PhotoError::Corrupt),
            ("width 0", zero_width, PhotoError::Corrupt),
            ("height 0", zero_height, PhotoError::Corrupt),
            ("no marker", no_marker, PhotoError::Corrupt),
            ("scan before frame", scan_first, PhotoError::Corrupt),
            ("short SOF", short_sof, PhotoError::Corrupt),
            (
                "missing components",
                missing_components,
                PhotoError::Corrupt,
            ),
            ("EOI without frame", eoi_without_frame, PhotoError::Corrupt),
            ("EOI without scan", no_scan, PhotoError::Corrupt),
            ("second SOI", second_soi, PhotoError::Corrupt),
            ("too many segments", endless_comments, PhotoError::Corrupt),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(
                jpeg_dimensions(&bytes),
                Err(DocumentError::Photo(expected)),
                "{name}"
            );
        }
    }

    #[test]
    fn reads_every_frame_header_kind_and_skips_the_others() {
        for marker in 0xC0..=0xCF_u8 {
            let mut bytes = vec![0xFF, 0xD8];
            if !is_frame_header(marker) {
                // DHT, JPG and DAC carry no size: skipped like any segment.
                bytes.extend(segment(marker, &[0; 4]));
            }
            bytes.extend(frame_header(
                if is_frame_header(marker) {
                    marker
                } else {
                    0xC0
                },
                640,
                480,
            ));
            bytes.extend(scan());
            // Fill bytes before a marker are allowed.
            bytes.extend([0xFF, 0xFF, 0xFF, 0xD9]);
            assert_eq!(jpeg_dimensions(&bytes), Ok((640, 480)), "{marker:02X}");
        }
        // The first frame header wins; standalone markers are skipped.
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0x01, 0xFF, 0xD3];
        bytes.extend(frame_header(0xC2, 358, 441));
        bytes.extend(frame_header(0xC0, 1, 1));
        bytes.extend(scan());
        bytes.extend([0xFF, 0xD9]);
        assert_eq!(jpeg_dimensions(&bytes), Ok((358, 441)));
        // Progressive files have several scans.
        let mut progressive = vec![0xFF, 0xD8];
        progressive.extend(frame_header(0xC2, 65_535, 65_535));
        for _ in 0..3 {
            progressive.extend(segment(0xC4, &[0; 3]));
            progressive.extend(scan());
        }
        progressive.extend([0xFF, 0xD9]);
        assert_eq!(jpeg_dimensions(&progressive), Ok((65_535, 65_535)));
    }
}
