#!/usr/bin/env python3
"""Writes cdn-auth.json: Tencent CDN / EdgeOne URL authentication (TypeA-D).

An implementation independent of the crate, written from the CDN pages
(https://cloud.tencent.com/document/product/228/41622 and the TypeA-D pages beside it) and
EdgeOne's token-authentication page, as issue 27 states them:

  A: <url>?<sign>=<ts>-<rand>-<uid>-md5("<path>-<ts>-<rand>-<uid>-<key>")
  B: <origin>/<YYYYMMDDHHMM in UTC+8>/md5(key + timestr + path)<path>
  C: <origin>/md5(key + path + hexts)/<hexts><path>
  D: <url>?<sign>=md5(key + path + t)&<t>=t   (t decimal, or hex with timeFormat 'hex')

It writes nothing unless the documents' worked examples come out as the documents print
them. Refusal cases carry the error code cos-wasm answers with (its own contract, not the
documents'). Run: python3 tests/vectors/cdn-auth.py
"""
import datetime
import hashlib
import json
import os

DOC_KEY = "DvYmqE81E1F9R791H6lmht"  # EdgeOne's example key
KEY = "a1B2c3D4e5F6g7H8"


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def split(url):
    scheme_end = url.index("://") + 3
    rest = url[scheme_end:]
    ends = [i for i in (rest.find("/"), rest.find("?")) if i >= 0]
    a_end = min(ends) if ends else len(rest)
    origin = url[: scheme_end + a_end]
    tail = rest[a_end:]
    path, _, query = tail.partition("?")
    return origin, path or "/", query


def sign(c):
    t, url, key, ts = c["type"], c["url"], c["key"], c["timestamp"]
    origin, path, query = split(url)
    base = origin + path + ("?" + query if query else "")
    join = "&" if query else "?"
    if t == "A":
        sp, rand, uid = c.get("signParam", "sign"), c["rand"], c.get("uid", "0")
        h = md5(f"{path}-{ts}-{rand}-{uid}-{key}")
        return f"{base}{join}{sp}={ts}-{rand}-{uid}-{h}", h
    if t == "B":
        tstr = (datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=ts + 8 * 3600)).strftime("%Y%m%d%H%M")
        h = md5(key + tstr + path)
        return f"{origin}/{tstr}/{h}{path}" + ("?" + query if query else ""), h
    if t == "C":
        hx = format(ts, "x")
        h = md5(key + path + hx)
        return f"{origin}/{h}/{hx}{path}" + ("?" + query if query else ""), h
    if t == "D":
        sp, tp = c.get("signParam", "sign"), c.get("timeParam", "t")
        tv = format(ts, "x") if c.get("timeFormat") == "hex" else str(ts)
        h = md5(key + path + tv)
        return f"{base}{join}{sp}={h}&{tp}={tv}", h
    raise ValueError(t)


DOCS = [
    ("doc-cdn-typeA", "Tencent CDN TypeA page", {"type": "A", "url": "http://cloud.tencent.com/test.jpg", "key": "dimtm5evg50ijsx2hvuwyfoiu65", "timestamp": 1582791032, "rand": "im1acp76sx9sdqe601v"}, "3fbb88382c9356b6faaf9d68c7b2ae3a"),
    ("doc-edgeone-typeA", "EdgeOne token authentication page", {"type": "A", "url": "https://www.example.com/foo.jpg", "key": DOC_KEY, "timestamp": 1721028437, "rand": "Kv4cPTAAP5YTi"}, "0fbdca749d7ab784750685347e42075c"),
    # The page prints the time string 202407151533 (UTC+8); 1721028780 is 2024-07-15 07:33:00 UTC.
    ("doc-edgeone-typeB", "EdgeOne token authentication page (time string 202407151533)", {"type": "B", "url": "https://www.example.com/foo.jpg", "key": DOC_KEY, "timestamp": 1721028780}, "d1f0b51c6894231fc12e054fcc7f0b3e"),
    ("doc-edgeone-typeC", "EdgeOne token authentication page (hex time 6694d30a)", {"type": "C", "url": "https://www.example.com/foo.jpg", "key": DOC_KEY, "timestamp": 0x6694D30A}, "6688749e8906a726c12fe1be3aacd016"),
    ("doc-edgeone-typeD", "EdgeOne token authentication page", {"type": "D", "url": "https://www.example.com/foo.jpg", "key": DOC_KEY, "timestamp": 1721029907}, "cadcec4a04e67b9c2abf4b61c642a0dd"),
]

CN = "/%E7%85%A7%E7%89%87/%E7%8C%AB%20%E5%92%AA.jpg"  # /照片/猫 咪.jpg, as sent
OWN = [
    ("a-chinese-space-path", {"type": "A", "url": "https://cdn.example.com" + CN, "key": KEY, "timestamp": 1700000000, "rand": "abc123"}),
    ("a-port-query-uid-signparam", {"type": "A", "url": "http://cdn.example.com:8080/dir/a%20b.mp4?x=1&y=%E4%B8%AD", "key": KEY, "timestamp": 1700000001, "rand": "R4nd0m", "uid": "1250000000", "signParam": "auth_key"}),
    ("a-empty-rand-root-path", {"type": "A", "url": "https://cdn.example.com", "key": KEY, "timestamp": 0, "rand": ""}),
    ("a-plus-in-path", {"type": "A", "url": "https://cdn.example.com/a+b/c%2Bd.png", "key": KEY, "timestamp": 1700000002, "rand": "x"}),
    ("b-chinese-space-path", {"type": "B", "url": "https://cdn.example.com" + CN, "key": KEY, "timestamp": 1700000000}),
    ("b-port-query", {"type": "B", "url": "https://cdn.example.com:8443/v/a%20b.ts?range=1-2", "key": KEY, "timestamp": 1704038400}),
    ("b-midnight-beijing", {"type": "B", "url": "https://cdn.example.com/x", "key": KEY, "timestamp": 1703952000}),
    ("c-chinese-space-path", {"type": "C", "url": "https://cdn.example.com" + CN, "key": KEY, "timestamp": 1700000000}),
    ("c-port-query", {"type": "C", "url": "http://[::1]:9000/a.jpg?imageMogr2/thumbnail/100x", "key": KEY, "timestamp": 15}),
    ("d-chinese-space-path", {"type": "D", "url": "https://cdn.example.com" + CN, "key": KEY, "timestamp": 1700000000}),
    ("d-hex-params-query", {"type": "D", "url": "https://cdn.example.com:444/a.jpg?w=100", "key": KEY, "timestamp": 1721029907, "signParam": "s_ig", "timeParam": "ts", "timeFormat": "hex"}),
    ("d-decimal-explicit", {"type": "D", "url": "https://CDN.Example.com/A.JPG", "key": KEY, "timestamp": 1721029907, "timeFormat": "decimal"}),
]

REFUSALS = [
    ("unknown-type", {"type": "E", "url": "https://h/a", "key": KEY, "timestamp": 1}, "ERR_INVALID_CDN_AUTH"),
    ("lower-case-type", {"type": "a", "url": "https://h/a", "key": KEY, "timestamp": 1, "rand": "x"}, "ERR_INVALID_CDN_AUTH"),
    ("empty-key", {"type": "D", "url": "https://h/a", "key": "", "timestamp": 1}, "ERR_INVALID_CDN_AUTH"),
    ("short-key", {"type": "D", "url": "https://h/a", "key": "abc12", "timestamp": 1}, "ERR_INVALID_CDN_AUTH"),
    ("key-with-newline", {"type": "D", "url": "https://h/a", "key": KEY + "\n", "timestamp": 1}, "ERR_INVALID_CDN_AUTH"),
    ("relative-url", {"type": "D", "url": "/a.jpg", "key": KEY, "timestamp": 1}, "ERR_INVALID_URL"),
    ("ftp-url", {"type": "D", "url": "ftp://h/a.jpg", "key": KEY, "timestamp": 1}, "ERR_INVALID_URL"),
    ("raw-chinese-path", {"type": "D", "url": "https://h/照片.jpg", "key": KEY, "timestamp": 1}, "ERR_INVALID_URL"),
    ("raw-space-path", {"type": "B", "url": "https://h/a b.jpg", "key": KEY, "timestamp": 1}, "ERR_INVALID_URL"),
    ("fragment", {"type": "C", "url": "https://h/a.jpg#x", "key": KEY, "timestamp": 1}, "ERR_INVALID_URL"),
    ("dot-segment", {"type": "C", "url": "https://h/a/../b.jpg", "key": KEY, "timestamp": 1}, "ERR_INVALID_URL"),
    ("negative-timestamp", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": -1}, "ERR_INVALID_TIMESTAMP"),
    ("fractional-timestamp", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": 1.5}, "ERR_INVALID_TIMESTAMP"),
    ("millisecond-timestamp", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": 1721029907000}, "ERR_INVALID_TIMESTAMP"),
    ("string-timestamp", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": "1721029907"}, "ERR_INVALID_TIMESTAMP"),
    ("rand-not-alnum", {"type": "A", "url": "https://h/a", "key": KEY, "timestamp": 1, "rand": "a-b"}, "ERR_INVALID_CDN_AUTH"),
    ("uid-not-alnum", {"type": "A", "url": "https://h/a", "key": KEY, "timestamp": 1, "rand": "a", "uid": "1-2"}, "ERR_INVALID_CDN_AUTH"),
    ("rand-on-type-d", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": 1, "rand": "a"}, "ERR_INVALID_CDN_AUTH"),
    ("sign-param-on-type-b", {"type": "B", "url": "https://h/a", "key": KEY, "timestamp": 1, "signParam": "s"}, "ERR_INVALID_CDN_AUTH"),
    ("time-format-on-type-a", {"type": "A", "url": "https://h/a", "key": KEY, "timestamp": 1, "rand": "a", "timeFormat": "hex"}, "ERR_INVALID_CDN_AUTH"),
    ("unknown-time-format", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": 1, "timeFormat": "octal"}, "ERR_INVALID_CDN_AUTH"),
    ("bad-sign-param", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": 1, "signParam": "a-b"}, "ERR_INVALID_CDN_AUTH"),
    ("same-param-names", {"type": "D", "url": "https://h/a", "key": KEY, "timestamp": 1, "signParam": "x", "timeParam": "x"}, "ERR_INVALID_CDN_AUTH"),
    ("query-has-sign", {"type": "A", "url": "https://h/a?sign=old", "key": KEY, "timestamp": 1, "rand": "a"}, "ERR_DUPLICATE_QUERY_PARAM"),
    ("query-has-time-param", {"type": "D", "url": "https://h/a?x=1&t=2", "key": KEY, "timestamp": 1}, "ERR_DUPLICATE_QUERY_PARAM"),
]

cases = []
for cid, source, inp, want in DOCS:
    url, h = sign(inp)
    assert h == want, (cid, h, want)
    cases.append({"id": cid, "source": source, "input": inp, "expected": {"url": url, "md5": h}})
for cid, inp in OWN:
    url, h = sign(inp)
    cases.append({"id": cid, "source": "cos-wasm (computed by cdn-auth.py)", "input": inp, "expected": {"url": url, "md5": h}})
for cid, inp, code in REFUSALS:
    cases.append({"id": cid, "source": "cos-wasm refusal", "input": inp, "expected": {"error": code}})

out = {
    "description": "Tencent CDN / EdgeOne URL authentication (cdnAuthUrl). input uses the JS option names; expected.url is the whole URL, expected.md5 the hash inside it; expected.error is the CosError code of a refused input. Written by cdn-auth.py.",
    "cases": cases,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cdn-auth.json"), "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(cases), "cases")
