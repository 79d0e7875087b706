//! The replication runner: independent replications in parallel on rayon.

use rayon::prelude::*;

/// Runs `replications` replications of `run(replication_index)` on rayon's
/// thread pool and returns their results in replication order.
///
/// Each replication must derive all its randomness from its index (and the
/// master seed it captures), e.g. with [`crate::RandomStream::new`]; then the
/// results do not depend on the number of threads or on scheduling order.
pub fn run_replications<R, F>(replications: u64, run: F) -> Vec<R>
where
    R: Send,
    F: Fn(u64) -> R + Sync + Send,
{
    (0..replications).into_par_iter().map(run).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RandomStream, StreamKey};
    use rand::Rng;

    #[test]
    fn results_do_not_depend_on_thread_count() {
        let run = |rep: u64| RandomStream::new(9, rep, StreamKey::new("x", "", 0)).next_u64();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run_replications(64, run));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| run_replications(64, run));
        assert_eq!(one, two);
        assert_eq!(one[5], run(5));
    }
}
