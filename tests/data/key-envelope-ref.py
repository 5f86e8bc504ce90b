# Independent reference implementation of docs/key-envelope.md, written from that page
# (not from the Rust code). Needs Python 3 and `cryptography` (with SM4 support, i.e.
# OpenSSL built with SM4). Run: python3 tests/data/key-envelope-ref.py
# Its output is the cross-language vector set asserted in tests/keys.rs.
import hashlib, hmac, struct, base64
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
def lp(b): return struct.pack('>I', len(b)) + b
def hkdf(salt, ikm, info, L):
    prk = hmac.new(salt, ikm, 'sha256').digest()
    return expand(prk, info, L)
def expand(prk, info, L):
    t=b''; o=b''; i=1
    while len(o)<L: t=hmac.new(prk,t+info+bytes([i]),'sha256').digest(); o+=t; i+=1
    return o[:L]
def b64u(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def sm4gcm_encrypt(k, n, p, a):
    e = Cipher(algorithms.SM4(k), modes.GCM(n)).encryptor(); e.authenticate_additional_data(a)
    c = e.update(p)+e.finalize(); return c+e.tag
# HKDF derivation
master = bytes(range(32)); salt = b'cos-wasm-test-salt'
for alg, L in (('AES256',32),('SM4',16)):
    info = b'cos-wasm/sse-c/v1\x00'+lp(alg.encode())+lp(b'examplebucket-1250000000')+lp('photos/猫.jpg'.encode())
    print('hkdf', alg, hkdf(salt, master, info, L).hex())
# passphrase
psalt = bytes(range(16))
prk = hashlib.pbkdf2_hmac('sha256', 'correct horse battery staple'.encode(), psalt, 100000, 32)
for purpose, alg, L in (('sse-c','AES256',32),('sse-c','SM4',16),('wrap','aes256gcm',32),('wrap','sm4gcm',16)):
    print('pass', purpose, alg, expand(prk, b'cos-wasm/passphrase/v1\x00'+lp(purpose.encode())+lp(alg.encode()), L).hex())
print('params', 'pbkdf2-sha256$v=1$i=100000$salt='+b64u(psalt))
# fingerprint
k = b'0123456789ABCDEF0123456789ABCDEF'
print('fp', hmac.new(k, b'cos-wasm/key-fingerprint/v1\x00sse-c\x00AES256','sha256').hexdigest()[:16])
# envelopes
nonce = bytes.fromhex('cafebabefacedbaddecaf888'); aad = b'examplebucket-1250000000/photos/cat.jpg'
wk = bytes(range(32))
h = 'cosk1.aes256gcm.aes256.'
print('env', h + b64u(nonce) + '.' + b64u(AESGCM(wk).encrypt(nonce, k, h.encode()+aad)))
wk16 = bytes(range(16)); k16 = bytes.fromhex('0123456789abcdeffedcba9876543210')
h = 'cosk1.sm4gcm.sm4.'
print('env', h + b64u(nonce) + '.' + b64u(sm4gcm_encrypt(wk16, nonce, k16, h.encode()+aad)))
h = 'cosk1.sm4gcm.aes256.'
print('env', h + b64u(nonce) + '.' + b64u(sm4gcm_encrypt(wk16, nonce, k, h.encode()+aad)))
