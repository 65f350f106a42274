"""Schemathesis hooks for the ecard platform (used by scripts/schemathesis.sh).

Schemathesis cannot make the device signatures of the API by itself. The
script first enrols a device (Ed25519) for the seeded elderly persona with
`python schemathesis_hooks.py enrol <key file>`, which also makes a
replacement application and a mandate request, registers a terminal
operator and prints the ids (and the operator's token) as JSON;
scripts/schemathesis.toml then gives the four device-signature headers as
the credentials of their security schemes: the device id, and a placeholder
for timestamp, nonce and signature. For every call this module adds a
`requests` auth hook that replaces the placeholders with a real signature
over the request as it goes on the wire (method, path with query, final
body bytes). A probe that strips or spoils credentials (the `ignored_auth`
and `missing_required_header` checks) no longer holds all placeholders and
is sent unsigned, as it should be. The platform clock (which the fuzzer may
advance through /admin/clock/advance) is learned from every response.

Two nudges keep the fuzzer from stalling at the front door: half of the
generated path ids are swapped for the real ones, and a valid but repeated
`Idempotency-Key` gets a unique suffix (a key reused with another body is
refused before the body is looked at).

Environment: ECARD_ST_BASE (base URL), ECARD_ST_ADMIN_TOKEN (for enrolment),
ECARD_ST_KEY_FILE (the device's private key, raw 32 bytes), ECARD_ST_IDS (the
ids `enrol` printed, as JSON).
"""

import base64
import hashlib
import json
import os
import secrets
import sys
import time

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

PLACEHOLDER = "sign-me"
PIN = "135790"
DEVICE_HEADERS = ("x-ecard-device", "x-ecard-timestamp", "x-ecard-nonce", "x-ecard-signature")

_clock_offset = 0


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _learn(response) -> None:
    global _clock_offset
    server_time = response.headers.get("x-ecard-server-time")
    if isinstance(server_time, list):  # schemathesis keeps every value
        server_time = server_time[0] if server_time else None
    if server_time and server_time.isdigit():
        _clock_offset = int(server_time) - int(time.time())


def enrol(base: str, admin_token: str, key_file: str) -> dict:
    """Enrols a new Ed25519 device for the elder persona and gives the fuzzer
    something real to find: the elder's card, a replacement application for
    it and a family-proxy mandate request. Returns their ids."""
    key = Ed25519PrivateKey.generate()
    with open(key_file, "wb") as handle:
        handle.write(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    personas = requests.get(
        f"{base}/admin/personas", headers={"authorization": f"Bearer {admin_token}"}, timeout=10
    ).json()
    elder = next(persona for persona in personas if persona["persona"] == "elder")
    resident = next(persona for persona in personas if persona["persona"] == "resident")
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def post(path, body, device=None):
        data = json.dumps(body).encode("utf-8")
        headers = {"content-type": "application/json", "idempotency-key": secrets.token_hex(16)}
        if device is not None:
            headers["x-ecard-device"] = device
            headers.update(signature_headers(key, "POST", path, data))
        response = requests.post(f"{base}{path}", data=data, headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()

    admin = {"authorization": f"Bearer {admin_token}"}
    # Enrolment as a phone does it: start, a face check by the reference
    # platform's simulated face platform, the SMS code, and the PIN.
    started = post(
        "/v1/enrolments",
        {
            "identity": {"id_type": elder["id_type"], "id_number": elder["id_number"], "name": elder["name"]},
            "device_suite": "ed25519",
            "device_public_key": _b64url(public),
            "device_name": "schemathesis",
        },
    )
    enrolment = started["enrolment_id"]
    face = requests.post(
        f"{base}/admin/face-platform/results",
        json={
            "id_type": elder["id_type"],
            "id_number": elder["id_number"],
            "challenge": started["face"]["challenge"],
            "device_binding": started["face"]["device_binding"],
        },
        headers=admin,
        timeout=10,
    ).json()["face_result"]
    post(f"/v1/enrolments/{enrolment}/presence", {"face_result": face}, enrolment)
    texts = requests.get(f"{base}/admin/sms?phone={elder['phone']}", headers=admin, timeout=10).json()
    code = texts[0]["body"].split("验证码 ")[1][:6]
    device = post(
        f"/v1/enrolments/{enrolment}/completion",
        {"one_time_code": code, "pin": PIN},
        enrolment,
    )["device_id"]

    def grant(action):
        return post("/v1/me/pin/grants", {"pin": PIN, "action": action}, device)["pin_grant"]

    card = post("/v1/credentials", {}, device)["card_id"]
    application = post(
        "/v1/replacements",
        {
            "card_id": card,
            "kind": "plain",
            "photo_jpeg": base64.b64encode(_test_jpeg()).decode("ascii"),
            "delivery": {"method": "pickup", "outlet_id": "O-00001"},
        },
        device,
    )["application_id"]
    mandate = post(
        "/v1/delegations",
        {
            "kind": "family_proxy",
            "principal": {
                "id_type": resident["id_type"],
                "id_number": resident["id_number"],
                "name": resident["name"],
            },
            "scopes": ["track", "show_code"],
            "relationship": "child",
            "pin_grant": grant("accept_mandate"),
        },
        device,
    )["delegation_id"]
    # A terminal operator for the clearing endpoint that is also a service
    # point (a hospital resolving medical codes): its token authenticates
    # POST /v1/operator/acceptances and POST /v1/service-point/resolutions
    # (see scripts/schemathesis.toml).
    operator = requests.post(
        f"{base}/admin/operators",
        json={
            "name": "schemathesis",
            "kind": "hospital",
            "purposes": ["medical"],
            "location": "schemathesis hospital",
        },
        headers=admin,
        timeout=10,
    )
    operator.raise_for_status()
    return {
        "operator_token": operator.json()["token"],
        "device_id": device,
        "card_id": card,
        "person_id": elder["person_id"],
        "application_id": application,
        "delegation_id": mandate,
    }


def _test_jpeg() -> bytes:
    """A 358×441 baseline JPEG header padded to 12 KB (tests/support/lib.rs)."""
    head = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF" + bytes([0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
    head += bytes([0xFF, 0xC0, 0x00, 0x11, 0x08]) + (441).to_bytes(2, "big") + (358).to_bytes(2, "big")
    head += bytes([0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01])
    head += bytes([0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00])
    return head + b"\x55" * (12_000 - 2 - len(head)) + bytes([0xFF, 0xD9])


def _load_key():
    with open(os.environ["ECARD_ST_KEY_FILE"], "rb") as handle:
        return Ed25519PrivateKey.from_private_bytes(handle.read())


def signature_headers(key, method: str, path_url: str, body: bytes) -> dict:
    """The device-signature headers of a request (see docs/api/openapi.yaml)."""
    timestamp = str(int(time.time()) + _clock_offset)
    nonce = secrets.token_hex(16)
    message = "\n".join(
        ["ecard-request-v1", method, path_url, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode("utf-8")
    return {
        "x-ecard-timestamp": timestamp,
        "x-ecard-nonce": nonce,
        "x-ecard-signature": _b64url(key.sign(message)),
    }


class DeviceSignature(requests.auth.AuthBase):
    """Signs a prepared request whose device headers hold the placeholder."""

    def __call__(self, request):
        headers = request.headers
        # Generated keys repeat ("0", "00", …), and a key seen with another
        # body is refused before the body is looked at; keep a valid key
        # valid but unique so the fuzzer reaches the endpoint itself.
        key = headers.get("idempotency-key")
        if key is not None and 1 <= len(key) <= 128 and all("!" <= c <= "~" for c in key):
            headers["idempotency-key"] = f"{key[:90]}-{secrets.token_hex(16)}"
        if any(headers.get(name) != PLACEHOLDER for name in DEVICE_HEADERS[1:]):
            return request
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers.update(signature_headers(_KEY, request.method, request.path_url, body))
        return request


# A certificate check (`POST /v1/certificate-checks`) takes the PDF's bytes:
# sent as any binary body is.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")


def _real_ids() -> dict:
    return json.loads(os.environ.get("ECARD_ST_IDS", "{}"))


_IDS = _real_ids()


@schemathesis.hook
def before_call(context, case, kwargs):
    # Half of the generated ids (chosen by the value, so a case replays the
    # same) become ids that exist, so calls get past `404 not_found`.
    for name, value in list((case.path_parameters or {}).items()):
        real = _IDS.get(name)
        if real and isinstance(value, str) and hashlib.sha256(value.encode()).digest()[0] % 2 == 0:
            case.path_parameters[name] = real
    kwargs["auth"] = DeviceSignature()


@schemathesis.hook
def after_call(context, case, response):
    _learn(response)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "enrol":
        sys.exit("usage: schemathesis_hooks.py enrol <key file>")
    ids = enrol(os.environ["ECARD_ST_BASE"].rstrip("/"), os.environ["ECARD_ST_ADMIN_TOKEN"], sys.argv[2])
    print(json.dumps(ids))
else:
    _KEY = _load_key()
