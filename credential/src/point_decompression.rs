//! Decompression of P-256 public keys, fast enough for a first scan.
//!
//! Why: codes carry the phone's P-256 key compressed (33 bytes) to stay
//! within QR version 10, so a terminal that meets a phone for the first
//! time must recover `y` from `x`: one square root modulo p, about 255
//! field squarings. Through the generic field arithmetic of the `p256`
//! crate that took about a tenth of a first scan (issue 13's budget allows
//! the whole scan 3 µs beyond its two signature checks). This module does
//! the same with arithmetic specialised to p (Montgomery multiplication
//! with four 64-bit limbs), about three times fewer instructions.
//!
//! Only public data passes through here, so nothing needs to be constant
//! time. The result is checked (`y² = x³ − 3x + b`) before it is returned,
//! and ring checks the point again whenever it verifies with it: an error
//! here could refuse a genuine key, never admit a false one. Tests compare
//! it with the `p256` crate.

/// p = 2^256 − 2^224 + 2^192 + 2^96 − 1, little-endian 64-bit limbs.
const P: [u64; 4] = [
    0xFFFF_FFFF_FFFF_FFFF,
    0x0000_0000_FFFF_FFFF,
    0x0000_0000_0000_0000,
    0xFFFF_FFFF_0000_0001,
];

/// R² mod p with R = 2^256, to enter the Montgomery form.
const R_SQUARED: [u64; 4] = [
    0x0000_0000_0000_0003,
    0xFFFF_FFFB_FFFF_FFFF,
    0xFFFF_FFFF_FFFF_FFFE,
    0x0000_0004_FFFF_FFFD,
];

/// The curve's b, big-endian (FIPS 186-5, SP 800-186 § 3.2.1.3).
const B: [u8; 32] = [
    0x5A, 0xC6, 0x35, 0xD8, 0xAA, 0x3A, 0x93, 0xE7, 0xB3, 0xEB, 0xBD, 0x55, 0x76, 0x98, 0x86, 0xBC,
    0x65, 0x1D, 0x06, 0xB0, 0xCC, 0x53, 0xB0, 0xF6, 0x3B, 0xCE, 0x3C, 0x3E, 0x27, 0xD2, 0x60, 0x4B,
];

/// An element of the field in Montgomery form (`a·R mod p`), fully reduced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Element([u64; 4]);

/// `a − b` over four limbs, with the borrow out.
fn subtract(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
    let mut out = [0; 4];
    let mut borrow = false;
    for limb in 0..4 {
        let (difference, borrow_a) = a[limb].overflowing_sub(b[limb]);
        let (difference, borrow_b) = difference.overflowing_sub(u64::from(borrow));
        out[limb] = difference;
        borrow = borrow_a || borrow_b;
    }
    (out, borrow)
}

/// `a + b` over four limbs, with the carry out.
fn add(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
    let mut out = [0; 4];
    let mut carry = false;
    for limb in 0..4 {
        let (sum, carry_a) = a[limb].overflowing_add(b[limb]);
        let (sum, carry_b) = sum.overflowing_add(u64::from(carry));
        out[limb] = sum;
        carry = carry_a || carry_b;
    }
    (out, carry)
}

/// Brings a value below 2p (with `overflow` its 257th bit) below p.
fn reduce_once(value: [u64; 4], overflow: bool) -> [u64; 4] {
    let (reduced, borrow) = subtract(&value, &P);
    if overflow || !borrow { reduced } else { value }
}

/// The 512-bit product of two 256-bit values.
fn multiply_wide(a: &[u64; 4], b: &[u64; 4]) -> [u64; 8] {
    let mut out = [0u64; 8];
    for (i, &b_limb) in b.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &a_limb) in a.iter().enumerate() {
            let wide = u128::from(out[i + j])
                + u128::from(a_limb) * u128::from(b_limb)
                + u128::from(carry);
            out[i + j] = wide as u64;
            carry = (wide >> 64) as u64;
        }
        out[i + 4] = carry;
    }
    out
}

/// The 512-bit square: each cross product once, doubled, plus the diagonal.
fn square_wide(a: &[u64; 4]) -> [u64; 8] {
    let mut cross = [0u64; 8];
    for i in 0..3 {
        let mut carry = 0u64;
        for j in i + 1..4 {
            let wide =
                u128::from(cross[i + j]) + u128::from(a[i]) * u128::from(a[j]) + u128::from(carry);
            cross[i + j] = wide as u64;
            carry = (wide >> 64) as u64;
        }
        cross[i + 4] = carry;
    }
    let mut out = [0u64; 8];
    let mut shifted_in = 0u64;
    let mut carry = 0u64;
    for i in 0..4 {
        let diagonal = u128::from(a[i]) * u128::from(a[i]);
        let low = (cross[2 * i] << 1) | shifted_in;
        let high = (cross[2 * i + 1] << 1) | (cross[2 * i] >> 63);
        shifted_in = cross[2 * i + 1] >> 63;
        let wide = u128::from(low) + (diagonal & u128::from(u64::MAX)) + u128::from(carry);
        out[2 * i] = wide as u64;
        let wide = u128::from(high) + (diagonal >> 64) + (wide >> 64);
        out[2 * i + 1] = wide as u64;
        carry = (wide >> 64) as u64;
    }
    out
}

/// Montgomery reduction `t·R⁻¹ mod p` for `t < p²`. `−p⁻¹ mod 2^64` is 1
/// for this p, so each round's multiplier is the low limb itself, and the
/// shape of p's limbs (all ones, 2^32 − 1, zero, 2^64 − 2^32 + 1) leaves
/// one multiplication per round.
fn reduce(mut t: [u64; 8]) -> Element {
    // The carry out of a round's top limb (position i + 4) is added by the
    // next round, whose top limb that is.
    let mut pending = 0u128;
    for i in 0..4 {
        let multiplier = t[i];
        // t[i] + m·(2^64 − 1) = m·2^64: the limb clears and m carries.
        // t[i+1] + m·(2^32 − 1) + m = t[i+1] + m·2^32.
        let wide = u128::from(t[i + 1]) + (u128::from(multiplier) << 32);
        t[i + 1] = wide as u64;
        let wide = u128::from(t[i + 2]) + (wide >> 64);
        t[i + 2] = wide as u64;
        let wide = u128::from(t[i + 3])
            + u128::from(multiplier) * u128::from(P[3])
            + (wide >> 64)
            + pending;
        t[i + 3] = wide as u64;
        pending = wide >> 64;
    }
    let wide = u128::from(t[7]) + pending;
    t[7] = wide as u64;
    Element(reduce_once([t[4], t[5], t[6], t[7]], (wide >> 64) != 0))
}

impl Element {
    fn multiply(&self, other: &Element) -> Element {
        reduce(multiply_wide(&self.0, &other.0))
    }

    fn square(&self) -> Element {
        reduce(square_wide(&self.0))
    }

    fn square_times(&self, times: usize) -> Element {
        let mut value = *self;
        for _ in 0..times {
            value = value.square();
        }
        value
    }

    fn add(&self, other: &Element) -> Element {
        let (sum, carry) = add(&self.0, &other.0);
        Element(reduce_once(sum, carry))
    }

    fn subtract(&self, other: &Element) -> Element {
        let (difference, borrow) = subtract(&self.0, &other.0);
        if borrow {
            Element(add(&difference, &P).0)
        } else {
            Element(difference)
        }
    }

    /// Reads a big-endian value; `None` unless it is below p.
    fn from_big_endian(bytes: &[u8; 32]) -> Option<Element> {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.rchunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_be_bytes(word);
        }
        let (_, borrow) = subtract(&limbs, &P);
        borrow.then(|| Element(limbs).multiply(&Element(R_SQUARED)))
    }

    fn to_big_endian(self) -> [u8; 32] {
        let plain = self.multiply(&Element([1, 0, 0, 0])).0;
        let mut out = [0u8; 32];
        for (chunk, limb) in out.rchunks_exact_mut(8).zip(plain) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// `self^((p+1)/4)`, a square root when one exists (p ≡ 3 mod 4).
    /// The exponent is 2^254 − 2^222 + 2^190 + 2^94.
    fn square_root_candidate(&self) -> Element {
        let ones_2 = self.multiply(&self.square());
        let ones_4 = ones_2.multiply(&ones_2.square_times(2));
        let ones_8 = ones_4.multiply(&ones_4.square_times(4));
        let ones_16 = ones_8.multiply(&ones_8.square_times(8));
        let ones_32 = ones_16.multiply(&ones_16.square_times(16));
        ones_32
            .square_times(32)
            .multiply(self)
            .square_times(96)
            .multiply(self)
            .square_times(94)
    }
}

/// Decompresses a SEC1 compressed P-256 point (`02`/`03` ‖ x) into the
/// uncompressed form (`04` ‖ x ‖ y). `None` when the prefix is wrong, x is
/// not below p, or no point of the curve has that x.
pub(crate) fn decompress_p256(compressed: &[u8]) -> Option<[u8; 65]> {
    let (&prefix, x_bytes) = compressed.split_first()?;
    let x_bytes: &[u8; 32] = x_bytes.try_into().ok()?;
    if prefix != 0x02 && prefix != 0x03 {
        return None;
    }
    let x = Element::from_big_endian(x_bytes)?;
    let b = Element::from_big_endian(&B)?;
    let three_x = x.add(&x).add(&x);
    let right_side = x.square().multiply(&x).subtract(&three_x).add(&b);
    let mut y = right_side.square_root_candidate();
    if y.square() != right_side {
        return None;
    }
    let mut y_bytes = y.to_big_endian();
    if (y_bytes[31] & 1) != (prefix & 1) {
        y = Element([0; 4]).subtract(&y);
        y_bytes = y.to_big_endian();
    }
    let mut out = [0u8; 65];
    out[0] = 0x04;
    out[1..33].copy_from_slice(x_bytes);
    out[33..].copy_from_slice(&y_bytes);
    Some(out)
}

#[cfg(test)]
mod tests {
    use p256::elliptic_curve::sec1::ToSec1Point;
    use proptest::prelude::*;

    use super::*;

    fn reference(compressed: &[u8]) -> Option<Vec<u8>> {
        p256::PublicKey::from_sec1_bytes(compressed)
            .ok()
            .map(|key| key.to_sec1_point(false).as_bytes().to_vec())
    }

    #[test]
    fn r_squared_is_two_to_the_512_mod_p() {
        // 1 in Montgomery form is R mod p; R² mod p doubled up from it.
        let mut value = Element([1, 0, 0, 0]);
        for _ in 0..512 {
            value = value.add(&value);
        }
        assert_eq!(value.0, R_SQUARED);
    }

    #[test]
    fn generator_decompresses_to_its_known_y() {
        let x: [u8; 32] = [
            0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4,
            0x40, 0xF2, 0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45,
            0xD8, 0x98, 0xC2, 0x96,
        ];
        let y: [u8; 32] = [
            0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F,
            0x9E, 0x16, 0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68,
            0x37, 0xBF, 0x51, 0xF5,
        ];
        let out = decompress_p256(&[&[0x03][..], &x].concat()).unwrap();
        assert_eq!(&out[33..], &y);
        let other = decompress_p256(&[&[0x02][..], &x].concat()).unwrap();
        assert_ne!(&other[33..], &y);
        assert_eq!(other[64] & 1, 0);
    }

    #[test]
    fn malformed_input_is_refused() {
        let mut at_p = [0u8; 33];
        at_p[0] = 0x02;
        at_p[1..].copy_from_slice(&[
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        assert_eq!(decompress_p256(&at_p), None, "x = p");
        assert_eq!(decompress_p256(&[0xFF; 33]), None, "x above p");
        assert_eq!(decompress_p256(&[0x04; 33]), None, "wrong prefix");
        assert_eq!(decompress_p256(&[0x02; 32]), None, "short");
        assert_eq!(decompress_p256(&[]), None, "empty");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Any x, valid or not, decompresses exactly as the `p256` crate does.
        #[test]
        fn agrees_with_the_p256_crate(x in any::<[u8; 32]>(), odd in any::<bool>()) {
            let compressed = [&[0x02 | u8::from(odd)][..], &x].concat();
            prop_assert_eq!(decompress_p256(&compressed).map(|out| out.to_vec()), reference(&compressed));
        }

        /// Values near p and near zero, where carries and borrows happen.
        #[test]
        fn agrees_near_the_edges(low in any::<u16>(), high in any::<bool>(), odd in any::<bool>()) {
            let mut x = [0u8; 32];
            x[30..].copy_from_slice(&low.to_be_bytes());
            if high {
                x = [0xFF; 32];
                x[..8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]);
                x[8..20].fill(0);
                x[30..].copy_from_slice(&(0xFFFF - low).to_be_bytes());
            }
            let compressed = [&[0x02 | u8::from(odd)][..], &x].concat();
            prop_assert_eq!(decompress_p256(&compressed).map(|out| out.to_vec()), reference(&compressed));
        }
    }
}
