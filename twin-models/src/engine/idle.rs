//! Idle servers of a station with several: a bit set of its starved servers
//! that finds the lowest-numbered one without scanning the station.

use std::cell::Cell;

/// The servers of one station that may be starved, by index within the
/// station: a bit set with a summary level above it (a bit per non-zero word),
/// and so on up to a single word, so that adding a server and finding the
/// lowest-numbered set one each cost O(log₆₄ servers).
///
/// A server is added when it becomes starved and taken out lazily: the set
/// may still hold servers that have started work since, which
/// [`IdleServers::first`] drops as it meets them (each at most once per time
/// it was added). Only a change *into* `Starved` touches the set, so a change
/// of state whose target is known at compile time pays nothing.
#[derive(Clone, Debug, Default)]
pub(crate) struct IdleServers {
    /// `levels[0]` has a bit per server; `levels[k + 1]` a bit per word of
    /// `levels[k]` that is not zero; the last level is one word. Empty for a
    /// station with one server, whose server's state is looked at directly.
    /// Cells, so that a look-up (from `&self`) can drop what it finds stale.
    levels: Vec<Vec<Cell<u64>>>,
}

impl IdleServers {
    /// The set of `servers` servers, all starved (as at time 0).
    pub(crate) fn all(servers: usize) -> Self {
        let mut levels = Vec::new();
        let mut bits = servers;
        loop {
            let words = bits.div_ceil(64);
            let level = vec![Cell::new(u64::MAX); words];
            if bits % 64 != 0 {
                level[words - 1].set((1 << (bits % 64)) - 1);
            }
            levels.push(level);
            if words == 1 {
                return Self { levels };
            }
            bits = words;
        }
    }

    /// Server `index` became starved.
    #[inline]
    pub(crate) fn insert(&mut self, mut index: usize) {
        for level in &self.levels {
            let word = &level[index / 64];
            let was = word.get();
            word.set(was | 1 << (index % 64));
            if was != 0 {
                return;
            }
            index /= 64;
        }
    }

    /// Takes server `index`, which is in the set, out of it.
    fn remove(&self, mut index: usize) {
        for level in &self.levels {
            let word = &level[index / 64];
            word.set(word.get() & !(1 << (index % 64)));
            if word.get() != 0 {
                return;
            }
            index /= 64;
        }
    }

    /// The lowest-numbered server in the set that `starved` says is still
    /// starved, if any; the servers below it that are not are dropped.
    #[inline]
    pub(crate) fn first(&self, starved: impl Fn(usize) -> bool) -> Option<usize> {
        let (top, below) = self.levels.split_last()?;
        loop {
            let word = top[0].get();
            if word == 0 {
                return None;
            }
            let mut index = word.trailing_zeros() as usize;
            for level in below.iter().rev() {
                index = index * 64 + level[index].get().trailing_zeros() as usize;
            }
            if starved(index) {
                return Some(index);
            }
            self.remove(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IdleServers;

    /// The set finds what a scan of the servers' flags finds, through changes
    /// into and out of starved, across one, two and three levels.
    #[test]
    fn lowest_starved_server_matches_a_scan() {
        for servers in [2, 63, 64, 65, 200, 4096, 4097, 10_000] {
            let mut set = IdleServers::all(servers);
            let mut flags = vec![true; servers];
            let mut x = 12_345_u64;
            for _ in 0..5_000 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let i = (x >> 33) as usize % servers;
                // A server that stops being starved stays in the set.
                if !flags[i] {
                    set.insert(i);
                }
                flags[i] = !flags[i];
                let first = set.first(|s| flags[s]);
                assert_eq!(first, flags.iter().position(|&f| f), "{servers} servers");
            }
            flags.iter_mut().for_each(|f| *f = false);
            assert_eq!(set.first(|s| flags[s]), None);
            assert!(set.levels.iter().flatten().all(|w| w.get() == 0));
        }
    }
}
