//! Parts in the line: a slab of part records reused through a free list, so
//! memory grows with the work in progress, not with time.

/// "No part" / "no entity" in the `u32` index fields of the engine.
pub(crate) const NONE: u32 = u32::MAX;

/// A part in the line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Part {
    pub(crate) product: u32,
    /// Index of the route step the part is at or heading to.
    pub(crate) step: u32,
    /// When the part entered the line (NaN until it is released).
    pub(crate) released: f64,
    /// The order it belongs to, or `NONE`.
    pub(crate) order: u32,
    /// When it entered the queue it waits in (for the rules and waiting times).
    pub(crate) queued_at: f64,
}

/// Where a part waiting in an indexed buffer stands in its arrival order
/// (see `buffer.rs`): kept beside the parts, not in them, so that a line
/// without such a buffer does not carry it through its caches.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Link {
    /// The part before it and after it (`NONE`: none).
    pub(crate) prev: u32,
    pub(crate) next: u32,
    /// Its arrival number in the buffer.
    pub(crate) seq: u64,
    /// The class of its route step there.
    pub(crate) class: u32,
}

/// The parts of one replication, by id.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    parts: Vec<Part>,
    /// `links[part]`, meaningful while the part waits in an indexed buffer.
    links: Vec<Link>,
    free: Vec<u32>,
}

impl Parts {
    /// A new part of `product` at the first step of its route, not yet released.
    #[inline]
    pub(crate) fn create(&mut self, product: u32) -> u32 {
        let part = Part {
            product,
            step: 0,
            released: f64::NAN,
            order: NONE,
            queued_at: f64::NAN,
        };
        match self.free.pop() {
            Some(id) => {
                self.parts[id as usize] = part;
                id
            }
            None => self.grow(part),
        }
    }

    /// Adds `part` with a new id (the line holds more parts than ever before).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, part: Part) -> u32 {
        self.parts.push(part);
        self.links.push(Link::default());
        (self.parts.len() - 1) as u32
    }

    /// Where `part` stands in the indexed buffer it waits in.
    #[inline]
    pub(crate) fn link(&self, part: u32) -> &Link {
        &self.links[part as usize]
    }

    /// [`Parts::link`], to change.
    #[inline]
    pub(crate) fn link_mut(&mut self, part: u32) -> &mut Link {
        &mut self.links[part as usize]
    }

    /// Gives the id of a part that left the line (or never entered it) back.
    pub(crate) fn free(&mut self, part: u32) {
        self.free.push(part);
    }
}

impl std::ops::Index<u32> for Parts {
    type Output = Part;

    #[inline]
    fn index(&self, part: u32) -> &Part {
        &self.parts[part as usize]
    }
}

impl std::ops::IndexMut<u32> for Parts {
    #[inline]
    fn index_mut(&mut self, part: u32) -> &mut Part {
        &mut self.parts[part as usize]
    }
}
