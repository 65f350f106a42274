//! Rendered codes decode, with an independent decoder (rqrr), to exactly the
//! code text, and stay within the QR-version budgets.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_credential::keys::{CAMPUS_GROUP, EXAMS_GROUP};
use ecard_credential::{
    Affiliation, ConcessionClass, Handle, HolderRole, Presentation, Purpose, QrMatrix, RegionCode,
    StatusReference, Suite,
};
use ecard_test_vectors::generate;
use ecard_test_vectors::world::{World, claims};

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

/// A code encoded as one alphanumeric segment (its digit runs made the
/// segmented encoding a version larger) decodes the same.
#[test]
fn a_single_segment_code_decodes_byte_for_byte() {
    let text = "EC1:209A543R31087206K5L-IC67O97383E2T3-XR8R/99F0J1 :2IYV13HD4J81J9 W$N6PA1/LN//674Q25779Z8%X23C6N62YUH9330 G4XU2R7Z:S2X7ISZ077.-2/11TV29ZKS9N5QUY56+6E$H8873$077CUW2102PT0:UMW6ER1I39057C11SH26529G7EZ8Y Z4I264K6%86-M26Z5LR3R41+63$7.9G46%P+3496DG4XA/422MHQX54650T51RG13/7 BZ39515941U0KEQ*EY499W07RN1CWA1X1ZHZW073";
    let matrix = QrMatrix::encode(text).unwrap();
    assert_eq!(matrix.version(), 10);
    assert_eq!(decode_png(&matrix.to_png(4)), vec![text.to_owned()]);
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

/// The QR alphanumeric capacity of version 10 at level M.
const VERSION_10_M_ALPHANUMERIC: usize = 311;

/// Format version 2 spends 5 bytes more than version 1 (a 16-bit purpose
/// field, a role byte, a 3-byte affiliation), and a code's length depends
/// only on the device suite: the largest version-2 code of every issuer ×
/// device pair, with every field at its widest, stays at QR version 10.
#[test]
fn the_largest_version_2_codes_stay_at_version_10() {
    let now = 1_780_000_000;
    for issuer_suite in Suite::ALL {
        for device_suite in Suite::ALL {
            let world = World::new(issuer_suite, device_suite, now);
            let mut campus = claims(CAMPUS_GROUP, StatusReference::MAX_INDEX, now);
            campus.handle = Handle([0xff; 8]);
            campus.status.list = u8::MAX;
            campus.lifetime_minutes = u16::MAX;
            campus.concession = ConcessionClass::Student;
            campus.role = HolderRole::Guardian;
            campus.affiliation = Affiliation::new(Affiliation::MAX);
            let mut exams = claims(EXAMS_GROUP, StatusReference::MAX_INDEX, now);
            exams.region = RegionCode::new(829_999);
            for (claims, purpose) in [(campus, Purpose::Library), (exams, Purpose::PersonnelExam)] {
                let credential = world.credential(&claims);
                assert_eq!(credential.version(), 2);
                let code = world.show(&credential, purpose, (1 << 24) - 1, now);
                let expected_length = match device_suite {
                    Suite::Ed25519 => 307,
                    Suite::EcdsaP256 | Suite::Sm2 => 309,
                };
                assert_eq!(
                    code.len(),
                    expected_length,
                    "{issuer_suite:?} × {device_suite:?}"
                );
                assert!(code.len() <= VERSION_10_M_ALPHANUMERIC);
                let matrix = QrMatrix::encode(&code).unwrap();
                assert!(
                    matrix.version() <= 10,
                    "{issuer_suite:?} × {device_suite:?}: version {}",
                    matrix.version()
                );
                assert_eq!(matrix.ecc(), 'M');
            }
        }
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
