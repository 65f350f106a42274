"""A relying party of the platform's scan-to-login, played with a real
OpenID Connect client library (authlib), for tests/oidc.rs.

Discovery, then an authorization request with PKCE (S256) and a nonce; the
page's login QR text is printed on stdout for the test, which approves it on
a phone (the core client) and then writes a line on stdin. The script then
follows the page's continue link, redeems the code at the token endpoint
(client_secret_basic), verifies the ID token with the JWK set from the
discovery document (ES256 only; iss, aud, nonce, exp, iat), calls userinfo
with the access token, and prints the verified claims as one JSON line.
Any failure raises: a traceback on stderr and a non-zero exit.

    relying_party.py <issuer> <client id> <client secret> <redirect uri>
"""

import base64
import json
import re
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import BadSignatureError


def main() -> None:
    issuer, client_id, client_secret, redirect_uri = sys.argv[1:5]
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    discovery.raise_for_status()
    discovery = discovery.json()
    assert discovery["issuer"] == issuer, discovery["issuer"]
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert "ES256" in discovery["id_token_signing_alg_values_supported"]

    session = OAuth2Session(
        client_id,
        client_secret,
        scope="openid profile id_number",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    code_verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    assert "code_challenge=" in url and "code_challenge_method=S256" in url, url

    page = requests.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, (page.status_code, page.text)
    login_code = re.search(r"ECLOGIN1:[A-Za-z0-9_-]+", page.text)
    continue_link = re.search(r'href="(/oauth/continue/[A-Za-z0-9_-]+)"', page.text)
    assert login_code and continue_link, page.text
    print(login_code.group(0), flush=True)

    if sys.stdin.readline().strip() != "approved":
        raise SystemExit("the test did not approve the login")
    back = requests.get(f"{issuer}{continue_link.group(1)}", allow_redirects=False, timeout=10)
    assert back.status_code == 302, (back.status_code, back.text)
    location = back.headers["location"]
    assert location.startswith(redirect_uri), location

    token = session.fetch_token(
        discovery["token_endpoint"],
        authorization_response=location,
        state=state,
        code_verifier=code_verifier,
    )
    assert token["token_type"] == "Bearer", token

    jwks = requests.get(discovery["jwks_uri"], timeout=10)
    jwks.raise_for_status()
    keys = JsonWebKey.import_key_set(jwks.json())
    es256_only = JsonWebToken(["ES256"])
    claims = es256_only.decode(
        token["id_token"],
        keys,
        claims_options={
            "iss": {"essential": True, "value": issuer},
            "aud": {"essential": True, "value": client_id},
            "nonce": {"essential": True, "value": nonce},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "sub": {"essential": True},
        },
    )
    claims.validate()

    # The same token naming someone else does not verify.
    header, payload, signature = token["id_token"].split(".")
    changed = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
    try:
        es256_only.decode(f"{header}.{forged_payload}.{signature}", keys)
    except BadSignatureError:
        pass
    else:
        raise AssertionError("a forged ID token verified")

    userinfo = session.get(discovery["userinfo_endpoint"], timeout=10)
    userinfo.raise_for_status()
    userinfo = userinfo.json()
    assert userinfo["sub"] == claims["sub"], (userinfo, dict(claims))

    print(
        json.dumps(
            {"id_token": dict(claims), "userinfo": userinfo, "scope": token["scope"]},
            ensure_ascii=False,
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
