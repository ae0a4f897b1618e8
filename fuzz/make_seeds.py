#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs from the test fixtures: every
fixture JWT (PyJWT-made, see tests/fixtures/jwt/README.md) for `jwt`,
the fixture JWK Sets, single JWKs and a discovery document for `jwks`, and
every DPoP fixture request (tests/fixtures/dpop/) for `dpop`, and each
fixture JWT's header and payload (the JSON, decoded) for `json_reader`.
Run from the crate root after the fixtures change: python3 fuzz/make_seeds.py
"""
import base64
import json
import pathlib
import shutil

root = pathlib.Path(__file__).resolve().parent.parent
seeds = root / "fuzz" / "seeds"
shutil.rmtree(seeds, ignore_errors=True)

jwt = seeds / "jwt"
jwt.mkdir(parents=True)
tokens = json.loads((root / "tests/fixtures/jwt/tokens.json").read_text())["tokens"]
for entry in tokens:
    (jwt / entry["name"]).write_text(entry["token"])

json_reader = seeds / "json_reader"
json_reader.mkdir(parents=True)
for entry in tokens:
    for part, segment in zip(("header", "payload"), entry["token"].split(".")[:2]):
        try:
            text = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except ValueError:
            continue
        (json_reader / f"{entry['name']}.{part}").write_bytes(text)
# The provider-shaped tokens: Entra's tenant issuers and `tid`s among them.
providers = json.loads((root / "tests/fixtures/providers/tokens.json").read_text())
for name, entry in providers.items():
    segment = entry["token"].split(".")[1]
    text = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    (json_reader / f"{name}.payload").write_bytes(text)
# What the fixtures hold little of: escapes, numbers of every form, nesting.
for n, text in enumerate([
    r'{"sub":"a\u00e9\ud83d\ude00\n\"","scope":"a b","scp":["c","d"],"acr":"x"}',
    r'{"exp":1.5e9,"nbf":-0,"iat":18446744073709551616,"auth_time":1e3,"aud":["api",""]}',
    r'{"cnf":{"jkt":"x","a":[[{}],null,true,false]},"iss":"https://issuer.example"}',
    r'{"alg":"HS256","crit":["b64"],"b64":false,"cty":"application/JWT","zip":"DEF"}',
    '{"a":' + "[" * 126 + "]" * 126 + "}",
    # Tenant templates: an accepted tenant in another case, a tenant not
    # accepted, `tid` of another tenant, 64 and 65 bytes, an empty
    # tenant, a tenant holding a slash.
    r'{"iss":"https://login.microsoftonline.com/2a2b1c7e-0e39-4b5e-9a0f-5d3e1f4a7b6c/v2.0","tid":"2a2b1c7e-0e39-4b5e-9a0f-5d3e1f4a7b6c"}',
    r'{"iss":"https://login.microsoftonline.com/contoso/v2.0","tid":"contoso"}',
    r'{"iss":"https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0","tid":"8EAEF023-2B34-4DA1-9BAA-8BC8C9D6A490"}',
    '{"iss":"https://login.microsoftonline.com/' + "a" * 64 + '/v2.0","tid":"' + "a" * 64 + '"}',
    '{"iss":"https://login.microsoftonline.com/' + "a" * 65 + '/v2.0","tid":"' + "a" * 65 + '"}',
    r'{"iss":"https://login.microsoftonline.com//v2.0","tid":""}',
    r'{"iss":"https://login.microsoftonline.com/a/b/v2.0","tid":"a/b","aud":"api"}',
]):
    (json_reader / f"handmade-{n}").write_text(text)

jwks = seeds / "jwks"
jwks.mkdir(parents=True)
for directory in ("tests/fixtures/jwks", "tests/fixtures/jwt"):
    for path in sorted((root / directory).glob("*.json")):
        # flood.json (300 KB) would raise libFuzzer's input size cap.
        if path.name not in ("tokens.json", "flood.json"):
            shutil.copy(path, jwks / path.name)
(jwks / "discovery.json").write_text(json.dumps({
    "issuer": "https://issuer.example.com",
    "jwks_uri": "https://issuer.example.com/jwks",
}))

dpop = seeds / "dpop"
dpop.mkdir(parents=True)
fixtures = json.loads((root / "tests/fixtures/dpop/fixtures.json").read_text())
token_names = ["es256", "rs256", "eddsa", "es384", "unbound", "certificate", "unknown_cnf"]
paths = ["/me", "/other", "/caf%c3%a9", "/me?page=2"]
for n, case in enumerate(fixtures["cases"]):
    if case["route"] != "dpop" or case["path"] not in paths:
        continue
    selector = token_names.index(case["token"])
    selector |= 0x08 if case["method"] == "POST" else 0
    selector |= paths.index(case["path"]) << 4
    selector |= 0 if case["scheme"].lower() == "dpop" else 0x40
    (dpop / f"{n:02}").write_bytes(bytes([selector]) + "\n".join(case["proofs"]).encode())
