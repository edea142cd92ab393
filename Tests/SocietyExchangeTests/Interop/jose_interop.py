"""Independent JOSE checks of DigitalSociety envelopes, with joserfc (https://jose.authlib.org).

verify JWK_FILE TOKEN_FILE   verify a compact JWS with the public JWK; print the payload; exit 1 if invalid
seal   OUT_DIR ISS AUD SVC PURPOSE NOW [LEVEL]
       make an Ed25519 key, write its public JWK to OUT_DIR/key.jwk and an envelope sealed by
       joserfc to OUT_DIR/envelope.jws, with a canonical (RFC 8785) payload
decrypt JWK_FILE TOKEN_FILE
       decrypt a compact JWE (ECDH-ES+A256KW, A256GCM; P-256 or X25519) with the recipient's private
       JWK; print the plaintext (the inner signed envelope) and the protected header on stderr;
       exit 1 if it does not decrypt
encrypt JWK_FILE KID APU APV IN_FILE OUT_FILE
       encrypt IN_FILE's text (a signed envelope) to the recipient's public JWK as a confidential
       envelope, with the SDK's header members
"""
import json
import os
import sys
import warnings

from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey
from joserfc.util import urlsafe_b64encode

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


def load_key(jwk_path):
    with open(jwk_path) as f:
        jwk = json.load(f)
    return OKPKey.import_key(jwk) if jwk["kty"] == "OKP" else ECKey.import_key(jwk)


def decrypt(jwk_path, token_path):
    key = load_key(jwk_path)
    with open(token_path) as f:
        token = f.read().strip()
    try:
        obj = jwe.decrypt_compact(token, key, algorithms=["ECDH-ES+A256KW", "A256GCM"])
    except JoseError as error:
        print(f"invalid: {error.error}", file=sys.stderr)
        return 1
    print(json.dumps(obj.protected, sort_keys=True), file=sys.stderr)
    sys.stdout.write(obj.plaintext.decode("utf-8"))
    return 0


def encrypt(jwk_path, kid, apu, apv, in_path, out_path):
    key = load_key(jwk_path)
    with open(in_path) as f:
        inner = f.read().strip()
    header = {
        "alg": "ECDH-ES+A256KW", "enc": "A256GCM", "typ": "tz-envelope+jwe", "cty": "tz-envelope+jws",
        "kid": kid, "apu": urlsafe_b64encode(apu.encode()).decode(), "apv": urlsafe_b64encode(apv.encode()).decode(),
    }
    token = jwe.encrypt_compact(header, inner.encode(), key, algorithms=["ECDH-ES+A256KW", "A256GCM"])
    with open(out_path, "w") as f:
        f.write(token)
    return 0


def seal(out_dir, iss, aud, svc, purpose, now, level="general"):
    key = OKPKey.generate_key("Ed25519")
    with open(os.path.join(out_dir, "key.jwk"), "w") as f:
        json.dump(key.as_dict(private=False), f)
    claims = {
        "iss": iss, "aud": aud, "iat": int(now), "exp": int(now) + 300, "jti": "python-joserfc-0001",
        "svc": svc, "purpose": purpose, "level": level, "data": {"employed": True, "wage": 512300},
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
    commands = {"verify": verify, "seal": seal, "decrypt": decrypt, "encrypt": encrypt}
    sys.exit(commands[command](*arguments))
