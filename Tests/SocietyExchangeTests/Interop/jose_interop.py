"""Independent JOSE checks of DigitalSociety envelopes, with joserfc (https://jose.authlib.org).

verify JWK_FILE TOKEN_FILE   verify a compact JWS with the public JWK; print the payload; exit 1 if invalid
seal   OUT_DIR ISS AUD SVC PURPOSE NOW
       make an Ed25519 key, write its public JWK to OUT_DIR/key.jwk and an envelope sealed by
       joserfc to OUT_DIR/envelope.jws, with a canonical (RFC 8785) payload
"""
import json
import os
import sys
import warnings

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey

warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is superseded by "Ed25519" (RFC 9864)


def verify(jwk_path, token_path):
    with open(jwk_path) as f:
        jwk = json.load(f)
    with open(token_path) as f:
        token = f.read().strip()
    key = OKPKey.import_key(jwk) if jwk["kty"] == "OKP" else ECKey.import_key(jwk)
    try:
        obj = jws.deserialize_compact(token, key, algorithms=["EdDSA", "ES256"])
    except JoseError as error:
        print(f"invalid: {error.error}", file=sys.stderr)
        return 1
    sys.stdout.write(obj.payload.decode("utf-8"))
    return 0


def seal(out_dir, iss, aud, svc, purpose, now):
    key = OKPKey.generate_key("Ed25519")
    with open(os.path.join(out_dir, "key.jwk"), "w") as f:
        json.dump(key.as_dict(private=False), f)
    claims = {
        "iss": iss, "aud": aud, "iat": int(now), "exp": int(now) + 300, "jti": "python-joserfc-0001",
        "svc": svc, "purpose": purpose, "level": "important", "data": {"employed": True, "wage": 512300},
    }
    # For ASCII keys, integers and booleans, sorted compact json.dumps is exactly RFC 8785.
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    header = {"alg": "EdDSA", "kid": "python-ed25519", "typ": "tz-envelope+jws"}
    token = jws.serialize_compact(header, payload, key, algorithms=["EdDSA"])
    with open(os.path.join(out_dir, "envelope.jws"), "w") as f:
        f.write(token)
    return 0


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    sys.exit(verify(*arguments) if command == "verify" else seal(*arguments))
