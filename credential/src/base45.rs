//! Base45 (RFC 9285): the text-safe encoding of codes.
//!
//! Base45 output uses only characters of the QR alphanumeric set, so a code
//! survives scanners that hand the payload over as text, and QR alphanumeric
//! mode stores it at 5.5 bits a character (binary mode would need 8).

use crate::error::FormatError;

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Maps an ASCII byte to its base45 digit, or 255 when it is not in the alphabet.
const DECODE: [u8; 256] = {
    let mut table = [255u8; 256];
    let mut index = 0;
    while index < ALPHABET.len() {
        table[ALPHABET[index] as usize] = index as u8;
        index += 1;
    }
    table
};

/// Encodes bytes as base45 text.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    let mut chunks = bytes.chunks_exact(2);
    for pair in &mut chunks {
        let value = (usize::from(pair[0]) << 8) | usize::from(pair[1]);
        push_digits(&mut out, value, 3);
    }
    if let [last] = chunks.remainder() {
        push_digits(&mut out, usize::from(*last), 2);
    }
    out
}

fn push_digits(out: &mut String, mut value: usize, count: usize) {
    for _ in 0..count {
        out.push(char::from(ALPHABET[value % 45]));
        value /= 45;
    }
}

/// Decodes base45 text. Rejects characters outside the alphabet, a dangling
/// single character and groups whose value does not fit their byte count.
pub fn decode(text: &str) -> Result<Vec<u8>, FormatError> {
    let input = text.as_bytes();
    if input.len() % 3 == 1 {
        return Err(FormatError::BadEncoding);
    }
    let mut out = Vec::with_capacity(input.len() / 3 * 2 + 1);
    for group in input.chunks(3) {
        let mut value = 0usize;
        let mut weight = 1usize;
        for &character in group {
            let digit = DECODE[usize::from(character)];
            if digit == 255 {
                return Err(FormatError::BadEncoding);
            }
            value += usize::from(digit) * weight;
            weight *= 45;
        }
        if group.len() == 3 {
            if value > 0xFFFF {
                return Err(FormatError::BadEncoding);
            }
            out.push((value >> 8) as u8);
            out.push((value & 0xFF) as u8);
        } else {
            if value > 0xFF {
                return Err(FormatError::BadEncoding);
            }
            out.push(value as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(decode("%69 VD92EX0").unwrap(), b"Hello!!");
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(decode("GGW"), Err(FormatError::BadEncoding)); // 65535 < value
        assert_eq!(decode("ZZZ"), Err(FormatError::BadEncoding));
        assert_eq!(decode("A"), Err(FormatError::BadEncoding));
        assert_eq!(decode("ab"), Err(FormatError::BadEncoding));
        assert_eq!(decode("Z9"), Err(FormatError::BadEncoding)); // 44 + 9*45 > 255
    }

    #[test]
    fn round_trips_every_length() {
        for length in 0..40usize {
            let bytes: Vec<u8> = (0..length).map(|index| (index * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(decode(&encode(&[0xFF, 0xFF])).unwrap(), [0xFF, 0xFF]);
    }
}
