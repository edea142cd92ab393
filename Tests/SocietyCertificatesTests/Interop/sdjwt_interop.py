#!/usr/bin/env python3
"""Verify an SD-JWT presentation made by the SDK with the IETF reference implementation.

Usage: sdjwt_interop.py ISSUER_JWK_FILE PRESENTATION_FILE AUDIENCE NONCE

Uses `sd-jwt` (PyPI; github.com/openwallet-foundation-labs/sd-jwt-python), the implementation the
RFC 9901 authors maintain. Prints the verified, disclosed claims as sorted JSON; exits 1 when the
library refuses the presentation. The library checks the key binding with ES256, so the holder
key must be P-256; the issuer key may be ES256 or EdDSA.
"""
import json
import sys

from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier


def main() -> int:
    issuer_jwk_path, presentation_path, audience, nonce = sys.argv[1:5]
    with open(issuer_jwk_path) as handle:
        issuer_key = JWK.from_json(handle.read())
    with open(presentation_path) as handle:
        presentation = handle.read().strip()
    try:
        verifier = SDJWTVerifier(
            presentation,
            lambda issuer, header: issuer_key,
            expected_aud=audience,
            expected_nonce=nonce,
        )
        claims = verifier.get_verified_payload()
    except Exception as error:  # the library raises plain exceptions for every refusal
        print(f"refused: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(claims, sort_keys=True, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
