#!/usr/bin/env python3
"""The independent side of the SM2 interoperability check
(scripts/test-sm2-interop.sh): the pure-Python `gmssl` package.

  sm2_interop.py check < emitted   checks what `sm2_interop emit` printed:
      SM2 signatures (gmssl's verify_with_sm3, identifier 1234567812345678),
      SM3 digests (gmssl's sm3_hash) and a whole e-card code, parsed here by
      the format (base45, byte layout) with its issuer and device signatures
      checked over their context strings.
  sm2_interop.py sign              prints `<expect> <public key> <message>
      <signature>` lines for `sm2_interop verify`: gmssl's sign_with_sm3
      (random k) over several messages, and signatures the Rust side must
      refuse (another message, another identifier, r or s out of range).

Prints `ok ...` / `FAIL ...` lines and a last line `passed N failed M`;
exits non-zero when anything failed.
"""

import binascii
import secrets
import sys

from gmssl import func, sm2, sm3

TABLE = sm2.default_ecc_table
N = int(TABLE["n"], 16)
P = int(TABLE["p"], 16)
A = int(TABLE["a"], 16)
B = int(TABLE["b"], 16)
IDENTIFIER = b"1234567812345678"
OTHER_IDENTIFIER = b"ALICE123@YAHOO.COM"
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what)


def crypt(public_hex, private_hex=""):
    """A gmssl context for a point given as x || y hex (no 04 tag)."""
    context = sm2.CryptSM2(private_key=private_hex, public_key=public_hex)
    # gmssl drops a leading "04" with str.lstrip, which would also eat a
    # leading 0 or 4 of x: set the point as it is.
    context.public_key = public_hex
    return context


def unhex(text):
    return b"" if text == "-" else bytes.fromhex(text)


def sm3_hex(data):
    return sm3.sm3_hash(func.bytes_to_list(data))


def digest_with_identifier(public_hex, message, identifier):
    """e = SM3(Z || M), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)."""
    z = (
        (len(identifier) * 8).to_bytes(2, "big")
        + identifier
        + bytes.fromhex(TABLE["a"] + TABLE["b"] + TABLE["g"] + public_hex)
    )
    return bytes.fromhex(sm3_hex(bytes.fromhex(sm3_hex(z)) + message))


def base45_decode(text):
    out = bytearray()
    for at in range(0, len(text), 3):
        chunk = text[at : at + 3]
        value = sum(BASE45.index(c) * 45**k for k, c in enumerate(chunk))
        if len(chunk) == 3:
            if value > 0xFFFF:
                raise ValueError("base45 triple out of range")
            out += value.to_bytes(2, "big")
        else:
            if value > 0xFF:
                raise ValueError("base45 pair out of range")
            out.append(value)
    return bytes(out)


def decompress(point):
    """x || y hex of a 33-byte compressed SM2 point (p = 3 mod 4)."""
    if len(point) != 33 or point[0] not in (2, 3):
        raise ValueError("not a compressed point")
    x = int.from_bytes(point[1:], "big")
    y2 = (pow(x, 3, P) + A * x + B) % P
    y = pow(y2, (P + 1) // 4, P)
    if y * y % P != y2:
        raise ValueError("not on the curve")
    if y & 1 != point[0] & 1:
        y = P - y
    return "%064x%064x" % (x, y)


def check_code(issuer_hex, device_hex, text):
    check(text.startswith("EC1:"), "code: prefix EC1:")
    data = base45_decode(text[4:])
    check(data[0] == 1, "code: format version 1")
    check(data[1] == 0x33, "code: issuer suite 3 and device suite 3 (SM2)")
    key_end = 29 + 33
    credential_end = key_end + 64
    check(len(data) == credential_end + 1 + 4 + 3 + 64, "code: presentation of 198 bytes")
    signed = data[:key_end]
    issuer_signature = data[key_end:credential_end].hex()
    issuer = crypt(issuer_hex)
    check(
        issuer.verify_with_sm3(issuer_signature, b"ecard-credential-v1" + signed),
        "code: gmssl verifies the SM2 issuer signature over ecard-credential-v1 || credential",
    )
    check(
        not issuer.verify_with_sm3(issuer_signature, b"ecard-credential-v1" + signed[:-1] + b"\0"),
        "code: gmssl refuses it over a changed credential",
    )
    device = decompress(data[29:key_end])
    check(device == device_hex, "code: the device key decompresses to the device's point")
    check(
        crypt(device).verify_with_sm3(data[-64:].hex(), b"ecard-presentation-v1" + data[:-64]),
        "code: gmssl verifies the SM2 device signature over ecard-presentation-v1 || presentation",
    )


def run_check(lines):
    signatures = digests = codes = 0
    for line in lines:
        # A code's text is Base45, whose alphabet has the space: it is the
        # rest of the line, taken as is (split() would fold two spaces).
        fields = line.split(" ", 3) if line.startswith("code ") else line.split()
        if not fields:
            continue
        kind = fields[0]
        if kind == "sig":
            public_hex, message, signature = fields[1], unhex(fields[2]), fields[3]
            context = crypt(public_hex)
            check(
                context.verify_with_sm3(signature, message),
                "gmssl verifies the crate's SM2 signature over %d bytes" % len(message),
            )
            check(
                not context.verify_with_sm3(signature, message + b"x"),
                "gmssl refuses it over another message",
            )
            signatures += 1
        elif kind == "sm3":
            message, digest = unhex(fields[1]), fields[2]
            check(sm3_hex(message) == digest, "SM3 of %d bytes agrees" % len(message))
            digests += 1
        elif kind == "code":
            check_code(fields[1], fields[2], fields[3])
            codes += 1
        else:
            check(False, "unknown line " + kind)
    check(signatures >= 10 and digests >= 5 and codes == 1, "every kind of item was emitted")


def sign_lines():
    out = []
    for _ in range(3):
        private = secrets.randbelow(N - 1) + 1
        context = sm2.CryptSM2(private_key="%064x" % private, public_key="")
        public_hex = context._kg(private, TABLE["g"])
        context = crypt(public_hex, "%064x" % private)
        for message in [b"", b"abc", "电子社保卡".encode(), bytes(range(256)), b"\x5a" * 1000]:
            signature = None
            while signature is None:
                signature = context.sign_with_sm3(message)
            hex_message = message.hex() or "-"
            out.append("valid %s %s %s" % (public_hex, hex_message, signature))
            out.append("invalid %s %s %s" % (public_hex, (message + b"x").hex(), signature))
        # Another identifier: the digest gmssl signs folds in ALICE123@YAHOO.COM.
        message = b"ecard-credential-v1"
        e = digest_with_identifier(public_hex, message, OTHER_IDENTIFIER)
        signature = None
        while signature is None:
            signature = context.sign(e, func.random_hex(context.para_len))
        out.append("invalid %s %s %s" % (public_hex, message.hex(), signature))
        # The format's identifier through the same path: accepted.
        e = digest_with_identifier(public_hex, message, IDENTIFIER)
        signature = None
        while signature is None:
            signature = context.sign(e, func.random_hex(context.para_len))
        out.append("valid %s %s %s" % (public_hex, message.hex(), signature))
        r, s = signature[:64], signature[64:]
        n = "%064x" % N
        for bad in ["0" * 64 + s, r + "0" * 64, n + s, r + n, "f" * 64 + s]:
            out.append("invalid %s %s %s" % (public_hex, message.hex(), bad))
    return out


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("check", "sign"):
        print("usage: sm2_interop.py check | sign", file=sys.stderr)
        return 2
    if sys.argv[1] == "sign":
        print("\n".join(sign_lines()))
        return 0
    run_check(sys.stdin.read().splitlines())
    print("passed %d failed %d" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
