#!/usr/bin/env python3
"""Writes tests/vectors/cos-signing-steps.json: every intermediate step of each signing case.

An implementation of docs/protocol.md §1 (request signature) and §2 (POST policy signature)
with the Python standard library only, written from that page and independent of the Rust
crate. For each case of cos-signing.json (answers of the official SDKs) and cos-doc-signing.json
(COS's documented worked examples) it computes KeyTime → SignKey, the canonical query and
header lists, HttpString (COS's FormatString), StringToSign and the signature, and it writes
nothing unless the signature it computes equals the SDK's (or the documentation's) answer for
every case. The tests then check cos-wasm step by step, so a failure names the step.

Run from anywhere: python3 tests/vectors/signing-steps.py
"""
import hashlib
import hmac
import json
import os
import sys
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))

# docs/protocol.md §1 "Default signed headers": the list cos-wasm signs (Python/Java SDK list:
# the browser list plus content-type), and every x-cos-* / x-ci-* header.
DEFAULT_SIGNED = {
    "cache-control", "content-disposition", "content-encoding", "content-length", "content-md5",
    "content-type", "expect", "expires", "host", "if-match", "if-modified-since", "if-none-match",
    "if-unmodified-since", "origin", "range", "transfer-encoding", "pic-operations",
}


def url_encode(text):
    """§1 UrlEncode: UTF-8, uppercase hex, only A-Za-z0-9-_.~ left as they are."""
    return quote(text.encode("utf-8"), safe="-_.~")


def sha1_hex(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def hmac_sha1_hex(key, text):
    return hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).hexdigest()


def scalar(value):
    """A JSON query/header value as text: null is an empty value, numbers print as JSON does."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def canonical(pairs):
    """§1 steps 3-4: encode + lowercase the names, encode the values, sort by encoded name."""
    encoded = sorted((url_encode(k).lower(), url_encode(scalar(v))) for k, v in pairs)
    return ";".join(k for k, _ in encoded), "&".join(f"{k}={v}" for k, v in encoded)


def request_steps(inp):
    key_time = inp["key_time"]
    sign_key = hmac_sha1_hex(inp["secret_key"], key_time)
    extra = {n.lower() for n in inp.get("sign_headers", [])}
    headers = dict(inp["headers"])
    if inp["kind"] == "presign" and not any(k.lower() == "host" for k in headers):
        # A pre-signed URL always signs the endpoint's host (protocol §1 "Pre-signed URL").
        headers["host"] = f'{inp["bucket"]}.cos.{inp["region"]}.myqcloud.com'
    signed = [
        (k.lower(), v)
        for k, v in headers.items()
        if k.lower() in DEFAULT_SIGNED or k.lower() in extra
        or k.lower().startswith(("x-cos-", "x-ci-"))
    ]
    url_param_list, http_parameters = canonical(inp["query"].items())
    header_list, http_headers = canonical(signed)
    # UriPathname: the decoded path; the SDKs drop one leading '/' of the key, then add one.
    path = inp["path"]
    path = "/" + (path[1:] if path.startswith("/") else path)
    http_string = f'{inp["method"].lower()}\n{path}\n{http_parameters}\n{http_headers}\n'
    string_to_sign = f"sha1\n{key_time}\n{sha1_hex(http_string)}\n"
    return {
        "key_time": key_time,
        "sign_key": sign_key,
        "url_param_list": url_param_list,
        "header_list": header_list,
        "http_string": http_string,
        "string_to_sign": string_to_sign,
        "signature": hmac_sha1_hex(sign_key, string_to_sign),
    }


def policy_steps(inp, policy_text):
    """§2 "Signing": StringToSign is the SHA-1 of the exact policy text."""
    sign_key = hmac_sha1_hex(inp["secret_key"], inp["key_time"])
    string_to_sign = sha1_hex(policy_text)
    return {
        "key_time": inp["key_time"],
        "sign_key": sign_key,
        "string_to_sign": string_to_sign,
        "signature": hmac_sha1_hex(sign_key, string_to_sign),
    }


def auth_pairs(authorization):
    return dict(p.split("=", 1) for p in authorization.split("&"))


def expected_parts(case):
    """The reference answer's q-* values (SDK output or COS documentation)."""
    exp = case["expected"]
    if case["kind"] == "auth":
        return auth_pairs(exp["authorization"])
    if case["kind"] == "presign":
        return dict(exp["canonical"]["query"])
    return {"q-signature": exp["fields"]["q-signature"], "q-key-time": exp["fields"]["q-key-time"]}


def main():
    out = {}
    problems = []
    for name in ("cos-signing.json", "cos-doc-signing.json"):
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        for case in cases:
            inp, exp = case["input"], case["expected"]
            if inp.get("reference") == "reject" or "reject" in exp:
                continue  # cos-wasm refuses these inputs: there is no signature to explain
            if case["kind"] == "post_policy":
                steps = policy_steps(inp, exp["policy_json"])
            else:
                steps = request_steps(inp)
            want = expected_parts(case)
            checks = {"q-signature": "signature", "q-key-time": "key_time"}
            if case["kind"] != "post_policy":
                checks.update({"q-header-list": "header_list", "q-url-param-list": "url_param_list"})
            for q, step in checks.items():
                if want.get(q) != steps[step]:
                    problems.append(f"{name} {case['id']}: {q} {steps[step]!r} != reference {want.get(q)!r}")
            # The documentation also prints some intermediate values: they must agree too.
            for step, value in exp.get("steps", {}).items():
                got = sha1_hex(steps["http_string"]) if step == "http_string_sha1" else steps[step]
                if got != value:
                    problems.append(f"{name} {case['id']}: {step} {got!r} != documented {value!r}")
            if case["id"] in out:
                problems.append(f"duplicate case id {case['id']}")
            out[case["id"]] = steps
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("nothing written: the steps must reproduce every reference signature", file=sys.stderr)
        sys.exit(1)
    doc = {
        "about": "Intermediate signing steps for every case of cos-signing.json and "
        "cos-doc-signing.json that is signed (rejections have none), keyed by case id. "
        "Generated by signing-steps.py (Python standard library, from docs/protocol.md "
        "§1-§2), which checked that each signature equals the reference answer before "
        "writing. Do not edit by hand: rerun the script. sign_key is derived from the test "
        "secret keys of the vectors.",
        "cases": out,
    }
    path = os.path.join(HERE, "cos-signing-steps.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
