"""The official cos-python-sdk-v5 against the local COS emulator binary.

Run by run.sh (which makes the venv). The emulator is started on 127.0.0.1 with a fresh data
dir and stopped at the end; the SDK reaches it as an HTTP proxy (absolute-form requests), so
every request keeps its real bucket Host.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import time
import urllib.parse
import shutil
import subprocess
import tempfile
import unittest

import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

AK = "AKIDpythonsdk0000000000000000000000000"
SK = "python-sdk-secret-key-0123456789"
REGION = "ap-guangzhou"
BUCKET = "pysdk-1250000000"
HOST = f"{BUCKET}.cos.{REGION}.myqcloud.com"


def proxies(port):
    return {"http": f"http://127.0.0.1:{port}"}


def client(port, secret=SK):
    # through the emulator as an HTTP proxy: every request keeps its real COS Host
    cfg = CosConfig(Region=REGION, SecretId=AK, SecretKey=secret, Scheme="http",
                    Proxies=proxies(port))
    return CosS3Client(cfg, retry=0)


def federation_token(port, policy):
    """GetFederationToken from the emulator's STS, TC3-signed as the official SDK signs it."""
    body = json.dumps({"Name": "py", "Policy": urllib.parse.quote(policy, safe=""),
                       "DurationSeconds": 1800})
    ts = int(time.time())
    date = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")
    sha = lambda b: hashlib.sha256(b.encode()).hexdigest()
    canonical = ("POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1\n\n"
                 "content-type;host\n" + sha(body))
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n{date}/sts/tc3_request\n{sha(canonical)}"
    mac = lambda k, m: hmac.new(k, m.encode(), hashlib.sha256).digest()
    key = mac(mac(mac(("TC3" + SK).encode(), date), "sts"), "tc3_request")
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    r = requests.post(f"http://127.0.0.1:{port}/", data=body, headers={
        "Authorization": f"TC3-HMAC-SHA256 Credential={AK}/{date}/sts/tc3_request, "
                         f"SignedHeaders=content-type;host, Signature={sig}",
        "Content-Type": "application/json", "X-TC-Action": "GetFederationToken",
        "X-TC-Version": "2018-08-13", "X-TC-Timestamp": str(ts), "X-TC-Region": REGION})
    c = r.json()["Response"]["Credentials"]
    return c["TmpSecretId"], c["TmpSecretKey"], c["Token"]


def upload_preset_fixture():
    """The upload-preset policy cos-wasm's cosPolicy writes (tests/vectors/cam-policies.json,
    case upload-prefix; tests/cam_policy.rs checks the builder still writes exactly it)."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "..", "tests", "vectors", "cam-policies.json")) as f:
        case = next(c for c in json.load(f)["cases"] if c["id"] == "upload-prefix")
    grant = case["input"]["allow"][0]
    return case["input"]["bucket"], grant["prefix"], case["policy"]


def ssec(key):
    return {
        "SSECustomerAlgorithm": "AES256",
        "SSECustomerKey": base64.b64encode(key).decode(),
        "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }


def body_of(resp):
    return resp["Body"].get_raw_stream().read()


class PythonSdk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        binary = os.environ["COS_EMULATOR_BIN"]
        cls.dir = tempfile.mkdtemp(prefix="cos-emulator-py-")
        cls.proc = subprocess.Popen(
            [binary, "--port", "0", "--data-dir", cls.dir, "--credentials", f"{AK}:{SK}",
             "--exit-on-stdin-close", "--quiet"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = cls.proc.stdout.readline().decode()
        prefix = "cos-emulator listening on http://127.0.0.1:"
        assert line.startswith(prefix), line
        cls.port = int(line.strip()[len(prefix):])
        cls.c = client(cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.proc.stdin.close()
        cls.proc.wait(timeout=10)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_list_buckets(self):
        # issue 26: the SDK sends ?marker=&max-keys= without signing them
        self.c.put_object(Bucket=BUCKET, Key="py/listed.txt", Body=b"x")
        r = self.c.list_buckets()
        names = [b["Name"] for b in r["Buckets"]["Bucket"]] if r["Buckets"] else []
        self.assertIn(BUCKET, names)

    def test_upload_file_with_upload_preset_temporary_keys(self):
        # issue 26: upload_file lists the key's open uploads first (ListMultipartUploads)
        bucket, prefix, policy = upload_preset_fixture()
        ak, sk, token = federation_token(self.port, policy)
        cfg = CosConfig(Region=REGION, SecretId=ak, SecretKey=sk, Token=token, Scheme="http",
                        Proxies=proxies(self.port))
        tmp = CosS3Client(cfg, retry=0)
        data = os.urandom(2 * 1024 * 1024 + 4321)
        d = tempfile.mkdtemp(prefix="cos-emulator-py-up-")
        try:
            path = os.path.join(d, "big.bin")
            with open(path, "wb") as f:
                f.write(data)
            key = prefix + "py-big.bin"
            # an upload left open with one part: upload_file finds it and resumes
            up = tmp.create_multipart_upload(Bucket=bucket, Key=key)
            tmp.upload_part(Bucket=bucket, Key=key, Body=data[:1024 * 1024], PartNumber=1,
                            UploadId=up["UploadId"])
            tmp.upload_file(Bucket=bucket, Key=key, LocalFilePath=path, PartSize=1, MAXThread=2)
            g = self.c.get_object(Bucket=bucket, Key=key)
            self.assertEqual(body_of(g), data)
            with self.assertRaises(CosServiceError) as e:
                tmp.upload_file(Bucket=bucket, Key="other/py-big.bin", LocalFilePath=path,
                                PartSize=1, MAXThread=2)
            self.assertEqual(e.exception.get_status_code(), 403)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_put_get_head_delete(self):
        r = self.c.put_object(Bucket=BUCKET, Key="py/hello.txt", Body=b"hello python",
                              ContentType="text/plain", Metadata={"x-cos-meta-who": "py"})
        self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(b"hello python").hexdigest())
        g = self.c.get_object(Bucket=BUCKET, Key="py/hello.txt")
        self.assertEqual(body_of(g), b"hello python")
        self.assertEqual(g["x-cos-meta-who"], "py")
        h = self.c.head_object(Bucket=BUCKET, Key="py/hello.txt")
        self.assertEqual(h["Content-Length"], "12")
        self.assertEqual(h["Content-Type"], "text/plain")
        self.c.delete_object(Bucket=BUCKET, Key="py/hello.txt")
        with self.assertRaises(CosServiceError) as e:
            self.c.head_object(Bucket=BUCKET, Key="py/hello.txt")
        self.assertEqual(e.exception.get_status_code(), 404)

    def test_list_with_space_and_plus_prefixes(self):
        # the SDK sends spaces in the query as '+' and always asks for encoding-type=url
        for k in ["sp/a b/1", "sp/a+b/2", "sp/腾讯 云/3"]:
            self.c.put_object(Bucket=BUCKET, Key=k, Body=b"x")
        keys = lambda p: [o["Key"] for o in self.c.list_objects(Bucket=BUCKET, Prefix=p).get("Contents", [])]
        self.assertEqual(keys("sp/a b"), ["sp/a b/1"])
        self.assertEqual(keys("sp/a+b"), ["sp/a+b/2"])
        self.assertEqual(keys("sp/腾讯 云"), ["sp/腾讯 云/3"])
        r = self.c.list_objects(Bucket=BUCKET, Prefix="sp/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]],
                         ["sp/a b/", "sp/a+b/", "sp/腾讯 云/"])

    def test_object_acl(self):
        self.c.put_object(Bucket=BUCKET, Key="acl.txt", Body=b"acl body")
        self.c.put_object_acl(Bucket=BUCKET, Key="acl.txt", ACL="public-read")
        r = self.c.get_object_acl(Bucket=BUCKET, Key="acl.txt")
        self.assertIn("AllUsers", str(r))
        anon = requests.get(f"http://{HOST}/acl.txt", proxies=proxies(self.port))
        self.assertEqual(anon.content, b"acl body")
        self.c.put_object_acl(Bucket=BUCKET, Key="acl.txt", ACL="private")
        self.assertNotIn("AllUsers", str(self.c.get_object_acl(Bucket=BUCKET, Key="acl.txt")))
        anon = requests.get(f"http://{HOST}/acl.txt", proxies=proxies(self.port))
        self.assertEqual(anon.status_code, 403)
        self.assertEqual(body_of(self.c.get_object(Bucket=BUCKET, Key="acl.txt")), b"acl body")

    def test_delete_objects(self):
        for k in ["del/1", "del/2"]:
            self.c.put_object(Bucket=BUCKET, Key=k, Body=b"x")
        r = self.c.delete_objects(Bucket=BUCKET, Delete={
            "Object": [{"Key": "del/1"}, {"Key": "del/2"}], "Quiet": "false"})
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]), ["del/1", "del/2"])
        self.assertEqual(self.c.list_objects(Bucket=BUCKET, Prefix="del/").get("Contents"), None)

    def test_sse_cos_and_kms(self):
        r = self.c.put_object(Bucket=BUCKET, Key="sse/cos", Body=b"cos", ServerSideEncryption="AES256")
        self.assertEqual(r["x-cos-server-side-encryption"], "AES256")
        self.assertEqual(body_of(self.c.get_object(Bucket=BUCKET, Key="sse/cos")), b"cos")
        r = self.c.put_object(Bucket=BUCKET, Key="sse/kms", Body=b"kms", ServerSideEncryption="cos/kms")
        self.assertEqual(r["x-cos-server-side-encryption"], "cos/kms")
        self.assertEqual(body_of(self.c.get_object(Bucket=BUCKET, Key="sse/kms")), b"kms")

    def test_sse_c_put_get_and_copy(self):
        key = os.urandom(32)
        self.c.put_object(Bucket=BUCKET, Key="ssec/src", Body=b"customer secret", **ssec(key))
        g = self.c.get_object(Bucket=BUCKET, Key="ssec/src", **ssec(key))
        self.assertEqual(body_of(g), b"customer secret")
        with self.assertRaises(CosServiceError) as e:
            self.c.get_object(Bucket=BUCKET, Key="ssec/src")
        self.assertEqual(e.exception.get_error_code(), "SsecDecryptHeaderInvalid")
        # the SDK's copy() HEADs the source without its key first
        src = {"Bucket": BUCKET, "Key": "ssec/src", "Region": REGION}
        copy_src_key = {"CopySource" + k: v for k, v in ssec(key).items()}
        self.c.copy(Bucket=BUCKET, Key="ssec/copy", CopySource=src, **copy_src_key)
        self.assertEqual(body_of(self.c.get_object(Bucket=BUCKET, Key="ssec/copy")), b"customer secret")

    def test_multipart_upload_file(self):
        data = os.urandom(2 * 1024 * 1024 + 12345)
        with tempfile.NamedTemporaryFile(delete=False) as f:
            f.write(data)
        try:
            self.c.upload_file(Bucket=BUCKET, Key="mp/big.bin", LocalFilePath=f.name, PartSize=1,
                               MAXThread=2)
        finally:
            os.unlink(f.name)
        g = self.c.get_object(Bucket=BUCKET, Key="mp/big.bin")
        self.assertEqual(body_of(g), data)
        self.assertTrue(g["ETag"].strip('"').endswith("-3"))

    def test_presigned_urls(self):
        self.c.put_object(Bucket=BUCKET, Key="pre/x.txt", Body=b"presigned")
        url = self.c.get_presigned_url(Bucket=BUCKET, Key="pre/x.txt", Method="GET", Expired=300)
        r = requests.get(url, proxies=proxies(self.port))
        self.assertEqual((r.status_code, r.content), (200, b"presigned"))
        url = self.c.get_presigned_url(Bucket=BUCKET, Key="pre/up.txt", Method="PUT", Expired=300)
        r = requests.put(url, data=b"via url", proxies=proxies(self.port))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(body_of(self.c.get_object(Bucket=BUCKET, Key="pre/up.txt")), b"via url")

    def test_wrong_secret_is_refused(self):
        bad = client(self.port, secret="wrong-secret")
        with self.assertRaises(CosServiceError) as e:
            bad.put_object(Bucket=BUCKET, Key="nope", Body=b"x")
        self.assertEqual(e.exception.get_error_code(), "SignatureDoesNotMatch")


if __name__ == "__main__":
    unittest.main()
