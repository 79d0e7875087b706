//! Random streams: one portable generator per source of randomness.

use std::convert::Infallible;

use rand::{SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Names one source of randomness in a model, e.g. ("processing", "Weld", 0).
///
/// The key is a stable 64-bit hash (FNV-1a) of its parts, so it does not depend
/// on the order in which entities were declared: two variants of a scenario that
/// share a station by name share that station's streams (common random numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamKey(u64);

impl StreamKey {
    /// The key of `purpose` for the entity named `entity`, sub-stream `index`
    /// (for example a server or failure-mode number).
    pub fn new(purpose: &str, entity: &str, index: u64) -> Self {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        // A separator byte that cannot occur in UTF-8 keeps ("ab", "c") != ("a", "bc").
        for byte in purpose
            .bytes()
            .chain([0xff])
            .chain(entity.bytes())
            .chain([0xff])
            .chain(index.to_le_bytes())
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
        Self(hash)
    }

    /// The raw 64-bit key.
    pub fn value(self) -> u64 {
        self.0
    }
}

/// SplitMix64's output function: a bijective 64-bit mixer.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A Xoshiro256++ generator seeded from (master seed, replication, stream key).
///
/// Xoshiro256++ is portable (same numbers on every platform) and fast. The
/// 256-bit state is filled by a SplitMix64 sequence started from a mix of the
/// three inputs, so distinct inputs give unrelated streams.
#[derive(Clone, Debug)]
pub struct RandomStream {
    rng: Xoshiro256PlusPlus,
}

impl RandomStream {
    /// The stream for `key` in replication `replication` of master seed `master_seed`.
    pub fn new(master_seed: u64, replication: u64, key: StreamKey) -> Self {
        let mut state = mix64(mix64(mix64(master_seed) ^ replication) ^ key.value());
        let mut seed = [0u8; 32];
        for chunk in seed.chunks_exact_mut(8) {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            chunk.copy_from_slice(&mix64(state).to_le_bytes());
        }
        Self {
            rng: Xoshiro256PlusPlus::from_seed(seed),
        }
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn uniform01(&mut self) -> f64 {
        (self.rng.try_next_u64().unwrap_or_else(|e| match e {}) >> 11) as f64
            * (1.0 / (1u64 << 53) as f64)
    }
}

impl TryRng for RandomStream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.rng.try_next_u32()
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.rng.try_next_u64()
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.rng.try_fill_bytes(dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_inputs_same_numbers() {
        let key = StreamKey::new("processing", "S1", 0);
        let mut a = RandomStream::new(7, 3, key);
        let mut b = RandomStream::new(7, 3, key);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn keys_replications_and_seeds_give_distinct_streams() {
        let first = |seed, rep, key| RandomStream::new(seed, rep, key).next_u64();
        let k = StreamKey::new("processing", "S1", 0);
        let base = first(1, 0, k);
        assert_ne!(base, first(2, 0, k));
        assert_ne!(base, first(1, 1, k));
        assert_ne!(base, first(1, 0, StreamKey::new("processing", "S2", 0)));
        assert_ne!(base, first(1, 0, StreamKey::new("failure", "S1", 0)));
        assert_ne!(StreamKey::new("ab", "c", 0), StreamKey::new("a", "bc", 0));
    }

    #[test]
    fn stream_is_portable() {
        // Pinned output: a change here silently changes every published result.
        let mut s = RandomStream::new(42, 0, StreamKey::new("processing", "S1", 0));
        let got: Vec<u64> = (0..2).map(|_| s.next_u64()).collect();
        assert_eq!(got, PINNED);
    }

    /// First outputs of the stream, recorded when the derivation was fixed (v0.1).
    const PINNED: [u64; 2] = [18172443539657346195, 5935122360626563089];

    #[test]
    fn uniform01_is_in_unit_interval_with_mean_one_half() {
        let mut s = RandomStream::new(1, 0, StreamKey::new("u", "", 0));
        let n = 100_000;
        let sum: f64 = (0..n)
            .map(|_| {
                let u = s.uniform01();
                assert!((0.0..1.0).contains(&u));
                u
            })
            .sum();
        // sd of the mean = sqrt(1/12 / n) ~ 0.0009; allow 5 sd.
        assert!((sum / n as f64 - 0.5).abs() < 0.0046);
    }
}
