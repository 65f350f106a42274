//! Rendered codes decode, with an independent decoder (rqrr), to exactly the
//! code text, and stay within the QR-version budgets.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_credential::{Presentation, QrMatrix, Suite};
use ecard_test_vectors::generate;

fn decode_png(png_bytes: &[u8]) -> Vec<String> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| pixels[y * width + x]);
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().unwrap().1)
        .collect()
}

#[test]
fn rendered_pngs_decode_to_the_code_text_byte_for_byte() {
    for vector in generate()
        .unwrap()
        .iter()
        .filter(|vector| vector.name.starts_with("valid-"))
    {
        let matrix = QrMatrix::encode(&vector.code).unwrap();
        for module_size in [3, 6] {
            let decoded = decode_png(&matrix.to_png(module_size));
            assert_eq!(
                decoded,
                vec![vector.code.clone()],
                "{} at {module_size} px",
                vector.name
            );
        }
    }
}

#[test]
fn codes_stay_within_the_version_budget() {
    for vector in generate()
        .unwrap()
        .iter()
        .filter(|vector| vector.name.starts_with("valid-"))
    {
        let presentation = Presentation::from_code(&vector.code).unwrap();
        let matrix = QrMatrix::encode(&vector.code).unwrap();
        let budget = match presentation.credential.device_suite {
            Suite::EcdsaP256 | Suite::Sm2 => 11,
            Suite::Ed25519 => 10,
        };
        assert!(
            matrix.version() <= budget,
            "{}: version {}",
            vector.name,
            matrix.version()
        );
        assert_eq!(matrix.width(), 17 + 4 * usize::from(matrix.version()));
    }
}

#[test]
fn svg_and_terminal_renderings_carry_every_module() {
    let vector = &generate().unwrap()[0];
    let matrix = QrMatrix::encode(&vector.code).unwrap();
    let dark = matrix.rows().iter().flatten().filter(|dark| **dark).count();
    let svg = matrix.to_svg(4);
    assert!(svg.starts_with("<svg"));
    assert_eq!(svg.matches('z').count(), dark);
    let text = matrix.to_terminal();
    let side = matrix.width() + 8;
    assert_eq!(text.lines().count(), side.div_ceil(2));
    assert!(text.lines().all(|line| line.chars().count() == side));
}
