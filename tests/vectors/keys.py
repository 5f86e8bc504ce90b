#!/usr/bin/env python3
"""Writes tests/vectors/keys.json: known answers for cos-wasm's own key formats.

An independent implementation of docs/key-envelope.md, written from that page (not from the
Rust code): per-object HKDF keys, passphrase keys, key fingerprints and wrapped-key envelopes.
Needs Python 3 and `cryptography` with SM4 (OpenSSL built with SM4).
Run from anywhere: python3 tests/vectors/keys.py
"""
import base64
import hashlib
import hmac
import json
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))


def lp(b):
    return struct.pack(">I", len(b)) + b


def expand(prk, info, length):
    t, out, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), "sha256").digest()
        out += t
        i += 1
    return out[:length]


def hkdf(salt, ikm, info, length):
    return expand(hmac.new(salt, ikm, "sha256").digest(), info, length)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sm4gcm_encrypt(key, nonce, plain, aad):
    e = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    e.authenticate_additional_data(aad)
    return e.update(plain) + e.finalize() + e.tag


LENGTH = {"AES256": 32, "SM4": 16, "aes256gcm": 32, "sm4gcm": 16}


def fingerprint(purpose, alg, key):
    msg = b"cos-wasm/key-fingerprint/v1\x00" + purpose.encode() + b"\x00" + alg.encode()
    return hmac.new(key, msg, "sha256").hexdigest()[:16]


def main():
    doc_key = b"0123456789ABCDEF0123456789ABCDEF"  # the COS SSE-C documentation key
    sm4_key = bytes.fromhex("0123456789abcdeffedcba9876543210")  # GB/T 32907 example key

    fingerprints = [
        {"algorithm": "AES256", "key_hex": doc_key.hex(), "fingerprint": fingerprint("sse-c", "AES256", doc_key)},
    ]

    master = bytes(range(32))
    hkdf_cases = []
    for alg in ("AES256", "SM4"):
        salt, bucket, key = b"cos-wasm-test-salt", "examplebucket-1250000000", "photos/猫.jpg"
        info = b"cos-wasm/sse-c/v1\x00" + lp(alg.encode()) + lp(bucket.encode()) + lp(key.encode())
        hkdf_cases.append({
            "master_hex": master.hex(), "salt_hex": salt.hex(), "bucket": bucket, "key": key,
            "algorithm": alg, "key_hex": hkdf(salt, master, info, LENGTH[alg]).hex(),
        })

    # 100,000 iterations (the floor) keeps debug-build and browser tests fast.
    psalt = bytes(range(16))
    params = "pbkdf2-sha256$v=1$i=100000$salt=" + b64u(psalt)
    passphrase = "correct horse battery staple"
    prk = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), psalt, 100000, 32)
    passphrase_cases = []
    for purpose, alg in (("sse-c", "AES256"), ("sse-c", "SM4"), ("wrap", "aes256gcm"), ("wrap", "sm4gcm")):
        info = b"cos-wasm/passphrase/v1\x00" + lp(purpose.encode()) + lp(alg.encode())
        passphrase_cases.append({
            "passphrase": passphrase, "params": params, "salt_hex": psalt.hex(), "iterations": 100000,
            "purpose": purpose, "algorithm": alg, "key_hex": expand(prk, info, LENGTH[alg]).hex(),
        })

    nonce = bytes.fromhex("cafebabefacedbaddecaf888")
    aad = "examplebucket-1250000000/photos/cat.jpg"
    envelopes = []
    for wrap_alg, wrap_key, alg, key in (
        ("aes256gcm", bytes(range(32)), "AES256", doc_key),
        ("sm4gcm", bytes(range(16)), "SM4", sm4_key),
        ("sm4gcm", bytes(range(16)), "AES256", doc_key),
    ):
        header = f"cosk1.{wrap_alg}.{alg.lower()}."
        sealed_aad = header.encode() + aad.encode()
        if wrap_alg == "aes256gcm":
            sealed = AESGCM(wrap_key).encrypt(nonce, key, sealed_aad)
        else:
            sealed = sm4gcm_encrypt(wrap_key, nonce, key, sealed_aad)
        envelopes.append({
            "wrap_algorithm": wrap_alg, "wrapping_key_hex": wrap_key.hex(),
            "algorithm": alg, "key_hex": key.hex(), "aad": aad, "nonce_hex": nonce.hex(),
            "envelope": header + b64u(nonce) + "." + b64u(sealed),
        })

    doc = {
        "about": "Known answers for cos-wasm's key formats (docs/key-envelope.md), computed by "
        "keys.py, an independent Python implementation of that page. Do not edit by hand.",
        "fingerprints": fingerprints,
        "hkdf": hkdf_cases,
        "passphrase": passphrase_cases,
        "envelopes": envelopes,
    }
    with open(os.path.join(HERE, "keys.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote tests/vectors/keys.json")


if __name__ == "__main__":
    main()
