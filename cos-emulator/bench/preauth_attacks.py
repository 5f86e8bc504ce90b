#!/usr/bin/env python3
"""Pre-authentication attacks on POST Object, against the emulator binary, loopback only and
bounded (issue 26). Prints the figures the emulator README quotes.

  python3 cos-emulator/bench/preauth_attacks.py /path/to/cos-emulator

1. Boundary-less bodies: N clients each announce 1 GiB of multipart/form-data and send bytes
   without a boundary as fast as the server reads; the server's peak RSS (VmHWM) is read
   from /proc.
2. Slow clients: SLOW (default 16) clients send a form head and then one byte every 25 s (reconnecting when
   cut off) while a signed POST form is sent every second for DURATION seconds; prints the
   signed forms' statuses and latencies.
"""
import base64, hashlib, hmac, os, socket, subprocess, sys, tempfile, threading, time

AK, SK = "AKIDbench00000000000000000000000000000", "bench-secret-key-0123456789abcdefg"
BUCKET = "bench-1250000000"
HOST = f"{BUCKET}.cos.ap-guangzhou.myqcloud.com"
DURATION = int(os.environ.get("DURATION", "60"))
SLOW = int(os.environ.get("SLOW", "16"))  # slow clients (the issue measured 16)


def start(binary):
    d = tempfile.mkdtemp(prefix="cos-emu-preauth-")
    p = subprocess.Popen([binary, "--port", "0", "--data-dir", d, "--credentials", f"{AK}:{SK}",
                          "--quiet", "--exit-on-stdin-close"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    port = int(p.stdout.readline().decode().strip().rsplit(":", 1)[1])
    return p, port


def hwm_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0


def boundaryless(port, total=1 << 30):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
              f"Content-Length: {total}\r\n\r\n".encode())
    chunk, sent = b"A" * (1 << 20), 0
    try:
        while sent < total:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    s.settimeout(5)
    try:
        status = s.recv(64).split(b"\r\n")[0].decode()
    except OSError:
        status = "(no answer)"
    s.close()
    return sent, status


def signed_form(port):
    kt = f"{int(time.time()) - 60};{int(time.time()) + 3600}"
    exp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 600))
    policy = ('{"expiration":"%s","conditions":[{"q-sign-algorithm":"sha1"},{"q-ak":"%s"},'
              '{"q-sign-time":"%s"},["starts-with","$key","up/"]]}' % (exp, AK, kt))
    skey = hmac.new(SK.encode(), kt.encode(), hashlib.sha1).hexdigest()
    sig = hmac.new(skey.encode(), hashlib.sha1(policy.encode()).hexdigest().encode(),
                   hashlib.sha1).hexdigest()
    fields = [("key", "up/x"), ("policy", base64.b64encode(policy.encode()).decode()),
              ("q-sign-algorithm", "sha1"), ("q-ak", AK), ("q-key-time", kt), ("q-signature", sig)]
    b = "----bench"
    body = b"".join(f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields)
    body += f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n'.encode()
    body += b"x" * 1024 + f"\r\n--{b}--\r\n".encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(60)
    t = time.time()
    s.sendall(f"POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: multipart/form-data; boundary={b}\r\n"
              f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    try:
        status = s.recv(64).split(b"\r\n")[0].decode().split(" ")[1]
    except (OSError, IndexError):
        status = "none"
    s.close()
    return status, time.time() - t


def slow_client(port, stop):
    while not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(f"POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: multipart/form-data; "
                      f"boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\n".encode())
            while not stop.is_set():
                if stop.wait(25):
                    break
                s.sendall(b"A")
        except OSError:
            pass
        finally:
            s.close()


def main():
    binary = sys.argv[1]
    for n in (1, 4):
        p, port = start(binary)
        base = hwm_mb(p.pid)
        res = [None] * n
        ts = [threading.Thread(target=lambda i=i: res.__setitem__(i, boundaryless(port))) for i in range(n)]
        t = time.time()
        [x.start() for x in ts]
        [x.join() for x in ts]
        print(f"{n} x 1 GiB boundary-less: RSS {base:.0f} -> peak {hwm_mb(p.pid):.0f} MB; "
              f"sent before the answer {[r[0] >> 20 for r in res]} MiB; {res[0][1]}; {time.time() - t:.1f} s")
        p.stdin.close(); p.wait(10)
    p, port = start(binary)
    stop = threading.Event()
    slow = [threading.Thread(target=slow_client, args=(port, stop), daemon=True) for _ in range(SLOW)]
    [x.start() for x in slow]
    time.sleep(1)
    results, t0 = [], time.time()
    while time.time() - t0 < DURATION:
        results.append(signed_form(port))
        time.sleep(max(0.0, 1 - results[-1][1]))
    stop.set()
    codes = {}
    for c, _ in results:
        codes[c] = codes.get(c, 0) + 1
    lat = sorted(r[1] for r in results)
    print(f"{SLOW} slow clients, {len(results)} signed forms over {DURATION} s: statuses {codes}; "
          f"latency median {lat[len(lat) // 2]:.2f} s, max {lat[-1]:.2f} s; RSS peak {hwm_mb(p.pid):.0f} MB")
    p.stdin.close(); p.wait(10)


if __name__ == "__main__":
    main()
