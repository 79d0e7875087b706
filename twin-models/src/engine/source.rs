//! Sources: when parts are released and which product each is.

use sim_core::{Distribution, RandomStream, StreamKey};

use crate::line::WhenFull;

/// The fixed description of a source.
#[derive(Debug)]
pub(crate) struct SourceTable {
    /// Time between arrivals; `None` for a saturated source.
    pub(crate) interarrival: Option<Distribution>,
    pub(crate) when_full: WhenFull,
    /// `(product, cumulative probability)`.
    pub(crate) mix: Vec<(u32, f64)>,
    /// The model sequence (cyclic), or empty to draw from the mix.
    pub(crate) sequence: Vec<u32>,
    pub(crate) arrival_key: StreamKey,
    pub(crate) mix_key: StreamKey,
}

/// A source's state in one replication.
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) arrival_stream: RandomStream,
    pub(crate) mix_stream: RandomStream,
    /// The part a blocking source holds while its first buffer is full, or `NONE`.
    pub(crate) held: u32,
    /// The position of the next part in the model sequence.
    pub(crate) position: usize,
    /// Parts released by orders that wait to enter the line behind `held`.
    pub(crate) backlog: super::order::Backlog,
}

impl SourceTable {
    /// The product of the next part: the next in the model sequence, or drawn
    /// from the mix.
    pub(crate) fn draw_product(&self, source: &mut Source) -> u32 {
        if !self.sequence.is_empty() {
            let product = self.sequence[source.position];
            source.position = (source.position + 1) % self.sequence.len();
            return product;
        }
        if self.mix.len() == 1 {
            return self.mix[0].0;
        }
        let u = source.mix_stream.uniform01();
        let i = self
            .mix
            .partition_point(|m| m.1 <= u)
            .min(self.mix.len() - 1);
        self.mix[i].0
    }
}
