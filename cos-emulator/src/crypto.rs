//! Encryption at rest: chunked AEAD (AES-256-GCM or SM4-GCM), 64 KiB plaintext chunks, each
//! sealed with its own nonce (8-byte random per-object prefix || 4-byte chunk index) and AAD
//! binding the chunk index and a "last chunk" flag (no reordering, no truncation).

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, KeyInit};
use std::io::{self, Read, Seek, SeekFrom, Write};

/// Plaintext chunk size.
pub const CHUNK: usize = 64 * 1024;
/// GCM tag length.
pub const TAG: usize = 16;

type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// Data encryption algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// AES-256-GCM, 32-byte keys.
    Aes256,
    /// SM4-GCM, 16-byte keys.
    Sm4,
}

impl Alg {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Alg::Aes256 => 32,
            Alg::Sm4 => 16,
        }
    }
    /// COS header spelling.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Aes256 => "AES256",
            Alg::Sm4 => "SM4",
        }
    }
    /// Parses the COS header spelling.
    pub fn parse(s: &str) -> Option<Alg> {
        match s {
            "AES256" => Some(Alg::Aes256),
            "SM4" => Some(Alg::Sm4),
            _ => None,
        }
    }
}

/// One-shot AEAD seal.
pub fn seal(alg: Alg, key: &[u8], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> io::Result<Vec<u8>> {
    let nonce = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::from(*nonce);
    let payload = Payload { msg: pt, aad };
    let r = match alg {
        Alg::Aes256 => Aes256Gcm::new_from_slice(key)
            .map_err(|_| bad_key())?
            .encrypt(&nonce, payload),
        Alg::Sm4 => Sm4Gcm::new_from_slice(key)
            .map_err(|_| bad_key())?
            .encrypt(&nonce, payload),
    };
    r.map_err(|_| io::Error::other("encryption failed"))
}

/// One-shot AEAD open.
pub fn open(alg: Alg, key: &[u8], nonce: &[u8; 12], aad: &[u8], ct: &[u8]) -> io::Result<Vec<u8>> {
    let nonce = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::from(*nonce);
    let payload = Payload { msg: ct, aad };
    let r = match alg {
        Alg::Aes256 => Aes256Gcm::new_from_slice(key)
            .map_err(|_| bad_key())?
            .decrypt(&nonce, payload),
        Alg::Sm4 => Sm4Gcm::new_from_slice(key)
            .map_err(|_| bad_key())?
            .decrypt(&nonce, payload),
    };
    r.map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "authentication failed"))
}

fn bad_key() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "bad key length")
}

/// Wraps a data key under a 32-byte key-encryption key (AES-256-GCM); output nonce || ct.
pub fn wrap_key(kek: &[u8], aad: &[u8], data_key: &[u8]) -> io::Result<Vec<u8>> {
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&crate::util::random_bytes(12));
    let mut out = nonce.to_vec();
    out.extend(seal(Alg::Aes256, kek, &nonce, aad, data_key)?);
    Ok(out)
}

/// Unwraps a key produced by [`wrap_key`].
pub fn unwrap_key(kek: &[u8], aad: &[u8], wrapped: &[u8]) -> io::Result<Vec<u8>> {
    if wrapped.len() < 12 + TAG {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "short wrapped key",
        ));
    }
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&wrapped[..12]);
    open(Alg::Aes256, kek, &nonce, aad, &wrapped[12..])
}

/// Per-object chunk cipher.
#[derive(Clone)]
pub struct ChunkCipher {
    /// Algorithm.
    pub alg: Alg,
    key: Vec<u8>,
    prefix: [u8; 8],
}

impl std::fmt::Debug for ChunkCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChunkCipher({:?}, <key>)", self.alg)
    }
}

impl ChunkCipher {
    /// New cipher; `prefix` is the per-object random nonce prefix.
    pub fn new(alg: Alg, key: Vec<u8>, prefix: [u8; 8]) -> io::Result<Self> {
        if key.len() != alg.key_len() {
            return Err(bad_key());
        }
        Ok(ChunkCipher { alg, key, prefix })
    }

    fn nonce(&self, idx: u64) -> [u8; 12] {
        let mut n = [0u8; 12];
        n[..8].copy_from_slice(&self.prefix);
        n[8..].copy_from_slice(&(idx as u32).to_be_bytes());
        n
    }

    fn aad(idx: u64, last: bool) -> [u8; 9] {
        let mut a = [0u8; 9];
        a[..8].copy_from_slice(&idx.to_be_bytes());
        a[8] = last as u8;
        a
    }

    /// Seals chunk `idx`.
    pub fn seal_chunk(&self, idx: u64, last: bool, pt: &[u8]) -> io::Result<Vec<u8>> {
        seal(
            self.alg,
            &self.key,
            &self.nonce(idx),
            &Self::aad(idx, last),
            pt,
        )
    }

    /// Opens chunk `idx`.
    pub fn open_chunk(&self, idx: u64, last: bool, ct: &[u8]) -> io::Result<Vec<u8>> {
        open(
            self.alg,
            &self.key,
            &self.nonce(idx),
            &Self::aad(idx, last),
            ct,
        )
    }
}

/// Streams plaintext into a file, encrypting when a cipher is given, and computing MD5,
/// CRC-64 and size of the plaintext.
pub struct ObjectWriter<W: Write> {
    out: W,
    cipher: Option<ChunkCipher>,
    buf: Vec<u8>,
    idx: u64,
    /// Plaintext MD5.
    pub md5: crate::util::Md5,
    /// Plaintext CRC-64.
    pub crc: crate::util::Crc64,
    /// Plaintext size.
    pub size: u64,
    /// Ciphertext MD5 (used as ETag for SSE-KMS / SSE-C, which differ from the plaintext MD5).
    pub stored_md5: crate::util::Md5,
}

impl<W: Write> ObjectWriter<W> {
    /// New writer.
    pub fn new(out: W, cipher: Option<ChunkCipher>) -> Self {
        ObjectWriter {
            out,
            cipher,
            buf: Vec::new(),
            idx: 0,
            md5: Default::default(),
            crc: crate::util::Crc64::new(),
            size: 0,
            stored_md5: Default::default(),
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        crate::util::md5_update(&mut self.stored_md5, bytes);
        self.out.write_all(bytes)
    }

    /// Feeds plaintext.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        crate::util::md5_update(&mut self.md5, data);
        self.crc.update(data);
        self.size += data.len() as u64;
        if self.cipher.is_none() {
            return self.emit(data);
        }
        self.buf.extend_from_slice(data);
        while self.buf.len() > CHUNK {
            let rest = self.buf.split_off(CHUNK);
            let chunk = std::mem::replace(&mut self.buf, rest);
            let sealed = match &self.cipher {
                Some(c) => c.seal_chunk(self.idx, false, &chunk)?,
                None => chunk,
            };
            self.idx += 1;
            self.emit(&sealed)?;
        }
        Ok(())
    }

    /// Copies a whole reader in.
    pub fn write_from(&mut self, r: &mut dyn Read) -> io::Result<()> {
        let mut b = vec![0u8; CHUNK];
        loop {
            let n = r.read(&mut b)?;
            if n == 0 {
                return Ok(());
            }
            self.write(&b[..n])?;
        }
    }

    /// Seals the last chunk and returns the sink.
    /// Seals the last chunk and flushes; returns the output and the ciphertext MD5 state
    /// (complete only now: the last chunk is emitted here).
    pub fn finish(mut self) -> io::Result<(W, crate::util::Md5)> {
        if let Some(c) = self.cipher.clone() {
            if !self.buf.is_empty() {
                let buf = std::mem::take(&mut self.buf);
                let sealed = c.seal_chunk(self.idx, true, &buf)?;
                self.emit(&sealed)?;
            }
        }
        self.out.flush()?;
        let stored_md5 = std::mem::take(&mut self.stored_md5);
        Ok((self.out, stored_md5))
    }
}

/// Ciphertext length of a segment holding `size` plaintext bytes.
pub fn sealed_len(size: u64) -> u64 {
    size + size.div_ceil(CHUNK as u64) * TAG as u64
}

/// One independently sealed run of chunks inside a stored file (multipart parts and appends
/// each add one; a plain PUT has one).
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    /// Plaintext size.
    pub size: u64,
    /// Nonce prefix.
    pub prefix: [u8; 8],
}

struct SegPos {
    plain_start: u64,
    size: u64,
    ct_start: u64,
    prefix: [u8; 8],
}

/// Reads a plaintext range `[start, end)` of a stored object.
pub struct ObjectReader {
    file: std::fs::File,
    enc: Option<(Alg, Vec<u8>)>,
    segs: Vec<SegPos>,
    pos: u64,
    end: u64,
    cur: Vec<u8>,
    cur_off: usize,
}

impl ObjectReader {
    /// New reader over a stored file. `enc`: algorithm and data key when encrypted.
    pub fn new(
        mut file: std::fs::File,
        enc: Option<(Alg, Vec<u8>)>,
        segments: &[Segment],
        start: u64,
        end: u64,
    ) -> io::Result<Self> {
        if enc.is_none() {
            file.seek(SeekFrom::Start(start))?;
        }
        let mut segs = Vec::new();
        let (mut p, mut c) = (0u64, 0u64);
        for s in segments {
            segs.push(SegPos {
                plain_start: p,
                size: s.size,
                ct_start: c,
                prefix: s.prefix,
            });
            p += s.size;
            c += sealed_len(s.size);
        }
        Ok(ObjectReader {
            file,
            enc,
            segs,
            pos: start,
            end,
            cur: Vec::new(),
            cur_off: 0,
        })
    }

    fn load_chunk(&mut self) -> io::Result<()> {
        let Some((alg, key)) = &self.enc else {
            return Ok(());
        };
        let seg = self
            .segs
            .iter()
            .find(|s| self.pos >= s.plain_start && self.pos < s.plain_start + s.size)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "offset past segments"))?;
        let cipher = ChunkCipher::new(*alg, key.clone(), seg.prefix)?;
        let rel = self.pos - seg.plain_start;
        let idx = rel / CHUNK as u64;
        let nchunks = seg.size.div_ceil(CHUNK as u64);
        let last = idx + 1 == nchunks;
        let pt_len = if last {
            seg.size - idx * CHUNK as u64
        } else {
            CHUNK as u64
        } as usize;
        self.file
            .seek(SeekFrom::Start(seg.ct_start + idx * (CHUNK + TAG) as u64))?;
        let mut ct = vec![0u8; pt_len + TAG];
        self.file.read_exact(&mut ct)?;
        self.cur = cipher.open_chunk(idx, last, &ct)?;
        self.cur_off = (rel - idx * CHUNK as u64) as usize;
        Ok(())
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.end || buf.is_empty() {
            return Ok(0);
        }
        let left = (self.end - self.pos) as usize;
        if self.enc.is_none() {
            let want = buf.len().min(left);
            let n = self.file.read(&mut buf[..want])?;
            self.pos += n as u64;
            return Ok(n);
        }
        if self.cur_off >= self.cur.len() {
            self.load_chunk()?;
        }
        let avail = &self.cur[self.cur_off..];
        let n = avail.len().min(buf.len()).min(left);
        buf[..n].copy_from_slice(&avail[..n]);
        self.cur_off += n;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_ranges() {
        for alg in [Alg::Aes256, Alg::Sm4] {
            let key = crate::util::random_bytes(alg.key_len());
            let c = ChunkCipher::new(alg, key, [7u8; 8]).unwrap_or_else(|_| unreachable!());
            let data: Vec<u8> = (0..(CHUNK * 2 + 100)).map(|i| (i % 251) as u8).collect();
            let path =
                std::env::temp_dir().join(format!("cosemu-crypto-{}", crate::util::random_hex(6)));
            let f = std::fs::File::create(&path).unwrap_or_else(|_| unreachable!());
            let mut w = ObjectWriter::new(f, Some(c.clone()));
            w.write(&data).unwrap_or_else(|_| unreachable!());
            let _ = w.finish().unwrap_or_else(|_| unreachable!());
            for (s, e) in [
                (0, data.len()),
                (5, 10),
                (CHUNK - 3, CHUNK + 3),
                (CHUNK * 2 + 99, CHUNK * 2 + 100),
            ] {
                let f = std::fs::File::open(&path).unwrap_or_else(|_| unreachable!());
                let seg = [Segment {
                    size: data.len() as u64,
                    prefix: [7u8; 8],
                }];
                let mut r =
                    ObjectReader::new(f, Some((alg, c.key.clone())), &seg, s as u64, e as u64)
                        .unwrap_or_else(|_| unreachable!());
                let mut out = Vec::new();
                r.read_to_end(&mut out).unwrap_or_else(|_| unreachable!());
                assert_eq!(out, &data[s..e]);
            }
            let _ = std::fs::remove_file(&path);
        }
    }
}
