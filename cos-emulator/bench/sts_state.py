#!/usr/bin/env python3
"""STS state under many GetFederationToken calls (issue 26), loopback only and bounded:
N calls (default 20,000) with a 6,000-character policy over one keep-alive connection; prints
the emulator's RSS, how many calls got credentials and how many RequestLimitExceeded.

  python3 cos-emulator/bench/sts_state.py /path/to/cos-emulator [N]
"""
import datetime, hashlib, hmac, http.client, json, subprocess, sys, tempfile, time, urllib.parse

AK, SK = "AKIDbench00000000000000000000000000000", "bench-secret-key-0123456789abcdefg"


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def main():
    binary, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    d = tempfile.mkdtemp(prefix="cos-emu-sts-")
    p = subprocess.Popen([binary, "--port", "0", "--data-dir", d, "--credentials", f"{AK}:{SK}",
                          "--quiet", "--exit-on-stdin-close"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(p.stdout.readline().decode().strip().rsplit(":", 1)[1])
    grant = ('{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject",'
             '"resource":"qcs::cos:ap-x:uid/1:b-1/')
    policy = grant + "a" * (6000 - len(grant) - 5) + '*"}]}'
    body = json.dumps({"Name": "u", "Policy": urllib.parse.quote(policy, safe=""), "DurationSeconds": 60})
    conn = http.client.HTTPConnection("127.0.0.1", port)
    ok = limited = 0
    print(f"RSS at start {rss_mb(p.pid):.0f} MB")
    t = time.time()
    for i in range(n):
        ts = int(time.time())
        date = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%d")
        sha = lambda b: hashlib.sha256(b.encode()).hexdigest()
        canon = f"POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1\n\ncontent-type;host\n{sha(body)}"
        to_sign = f"TC3-HMAC-SHA256\n{ts}\n{date}/sts/tc3_request\n{sha(canon)}"
        mac = lambda k, m: hmac.new(k, m.encode(), hashlib.sha256).digest()
        key = mac(mac(mac(("TC3" + SK).encode(), date), "sts"), "tc3_request")
        sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        conn.request("POST", "/", body=body, headers={
            "Authorization": f"TC3-HMAC-SHA256 Credential={AK}/{date}/sts/tc3_request, SignedHeaders=content-type;host, Signature={sig}",
            "Content-Type": "application/json", "X-TC-Action": "GetFederationToken",
            "X-TC-Version": "2018-08-13", "X-TC-Timestamp": str(ts), "X-TC-Region": "ap-guangzhou"})
        r = json.loads(conn.getresponse().read())["Response"]
        if "Credentials" in r:
            ok += 1
        elif r.get("Error", {}).get("Code") == "RequestLimitExceeded":
            limited += 1
    print(f"{n} calls in {time.time() - t:.0f} s: {ok} issued, {limited} RequestLimitExceeded; RSS {rss_mb(p.pid):.0f} MB")
    p.stdin.close(); p.wait(10)


if __name__ == "__main__":
    main()
