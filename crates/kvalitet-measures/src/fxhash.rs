//! A small, fast, non-cryptographic hasher (the Fx hash of rustc, with a final mix) for the maps in row
//! loops: interned names, case ids. Keys come from the municipality's own export, so
//! resistance to crafted collisions is not needed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The Fx hash: rotate, xor, multiply per 8-byte word.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// Mixes high bits into low ones (a multiply leaves the low bits depending only on
    /// the low bits of the input, and hashbrown indexes buckets by the low bits).
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_work_and_tails_matter() {
        let mut m: FastMap<String, u32> = FastMap::default();
        for i in 0..1000 {
            m.insert(format!("C{i}"), i);
        }
        assert_eq!(m.get("C999"), Some(&999));
        let h = |s: &[u8]| {
            let mut f = FxHasher::default();
            f.write(s);
            f.finish()
        };
        assert_ne!(h(b"abcdefgh1"), h(b"abcdefgh2"));
        // Keys differing only in their last byte spread over the low bits too.
        let low: std::collections::HashSet<u64> =
            (0..256u32).map(|i| h(format!("C12345{i:03}").as_bytes()) & 0xff).collect();
        assert!(low.len() > 128, "{}", low.len());
    }
}
