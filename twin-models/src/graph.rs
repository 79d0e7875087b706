//! The line as a material-flow graph (petgraph): structural checks and analyses.

use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;

use crate::{LineSpec, SourceKind};

/// A structural mistake that stops a line from running: the field, as a path into
/// the spec that mirrors the scenario format (e.g. `products[0].route[2]`), and a
/// message naming the entity and the offending value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", field.as_ref().map(|f| format!("{f}: ")).unwrap_or_default())]
pub struct StructureError {
    /// The offending field, when one can be named.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl StructureError {
    /// An error about the field at `field`.
    pub fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// An error about the whole line.
    pub fn line(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }
}

/// A node of the line graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A source, by index.
    Source(usize),
    /// A named buffer, by index.
    Buffer(usize),
    /// The implicit unlimited input buffer of a station without a named one.
    OwnInput(usize),
    /// A station, by index.
    Station(usize),
    /// A sink, by index.
    Sink(usize),
}

/// The line's material-flow graph: sources → buffers → stations → … → sinks, one
/// edge per hop of some product's route.
#[derive(Clone, Debug)]
pub struct LineGraph {
    graph: DiGraph<Node, ()>,
    station_nodes: Vec<NodeIndex>,
    warnings: Vec<String>,
}

fn err<T>(field: String, message: String) -> Result<T, StructureError> {
    Err(StructureError::at(field, message))
}

impl LineSpec {
    /// Checks the structure and builds the line graph.
    ///
    /// Errors (the first found): an index out of range, no servers, a scrap
    /// probability outside `[0, 1]`, an empty route or step, alternatives in one
    /// step with different input buffers, a visited station without a processing
    /// time for the product, a product that no source releases, a bad product
    /// mix, a saturated source whose products start at different stations.
    /// Warnings (in [`LineGraph::warnings`]): a station no product visits, a buffer
    /// that feeds no station, a cycle through finite buffers (can deadlock).
    pub fn check(&self) -> Result<LineGraph, StructureError> {
        self.check_entities()?;
        let mut graph = DiGraph::new();
        let sources: Vec<_> = (0..self.sources.len())
            .map(|i| graph.add_node(Node::Source(i)))
            .collect();
        let buffers: Vec<_> = (0..self.buffers.len())
            .map(|i| graph.add_node(Node::Buffer(i)))
            .collect();
        let stations: Vec<_> = (0..self.stations.len())
            .map(|i| graph.add_node(Node::Station(i)))
            .collect();
        let sinks: Vec<_> = (0..self.sinks.len())
            .map(|i| graph.add_node(Node::Sink(i)))
            .collect();
        let inputs: Vec<_> = self
            .stations
            .iter()
            .enumerate()
            .map(|(i, s)| match s.input {
                Some(b) => buffers[b],
                None => graph.add_node(Node::OwnInput(i)),
            })
            .collect();
        for (i, input) in inputs.iter().enumerate() {
            graph.update_edge(*input, stations[i], ());
        }
        for product in &self.products {
            let mut previous = None;
            for step in &product.route {
                let input = inputs[step[0]];
                for &station in step {
                    graph.update_edge(input, stations[station], ());
                }
                if let Some(prev_step) = previous {
                    for &from in prev_step {
                        graph.update_edge(stations[from], input, ());
                    }
                }
                previous = Some(step);
            }
            if let Some(last) = previous {
                for &from in last {
                    graph.update_edge(stations[from], sinks[product.sink], ());
                }
            }
        }
        for (s, source) in self.sources.iter().enumerate() {
            for &(product, weight) in &source.mix {
                if weight > 0.0 {
                    let first = &self.products[product].route[0];
                    graph.update_edge(sources[s], inputs[first[0]], ());
                }
            }
        }
        for order in &self.orders {
            let first = &self.products[order.product].route[0];
            graph.update_edge(sources[order.source], inputs[first[0]], ());
        }

        // Linear in the size of the line, and without recursion: one search from
        // all sources, and strongly connected components by Kosaraju's algorithm
        // (iterative depth-first searches), so that long lines neither take
        // quadratic time nor overflow the stack.
        let mut on_route = vec![false; self.stations.len()];
        for &s in self.products.iter().flat_map(|p| p.route.iter().flatten()) {
            on_route[s] = true;
        }
        let mut reached = vec![false; graph.node_count()];
        let mut search = Dfs::empty(&graph);
        for &src in &sources {
            search.move_to(src);
            while let Some(node) = search.next(&graph) {
                reached[node.index()] = true;
            }
        }
        let mut warnings = Vec::new();
        for (i, station) in self.stations.iter().enumerate() {
            if !on_route[i] {
                warnings.push(format!(
                    "station `{}` is on no product's route",
                    station.name
                ));
            } else if !reached[stations[i].index()] {
                warnings.push(format!(
                    "station `{}` is reached by no part from any source",
                    station.name
                ));
            }
        }
        let mut feeds = vec![false; self.buffers.len()];
        for b in self.stations.iter().filter_map(|s| s.input) {
            feeds[b] = true;
        }
        for (b, buffer) in self.buffers.iter().enumerate() {
            if !feeds[b] {
                warnings.push(format!("buffer `{}` feeds no station", buffer.name));
            }
        }
        let mut cycles = Vec::new();
        for component in kosaraju_scc(&graph) {
            let cyclic = component.len() > 1 || graph.contains_edge(component[0], component[0]);
            let finite = component.iter().any(|&n| match graph[n] {
                Node::Buffer(b) => self.buffers[b].capacity.is_some(),
                _ => false,
            });
            if cyclic && finite {
                let mut names: Vec<&str> = component
                    .iter()
                    .filter_map(|&n| match graph[n] {
                        Node::Station(s) => Some(self.stations[s].name.as_str()),
                        _ => None,
                    })
                    .collect();
                names.sort_unstable();
                cycles.push(format!(
                    "stations {} form a cycle through finite buffers: the line can deadlock (blocking after service)",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        // In name order, independent of the order the components are found in.
        cycles.sort_unstable();
        warnings.extend(cycles);
        Ok(LineGraph {
            graph,
            station_nodes: stations,
            warnings,
        })
    }

    fn check_entities(&self) -> Result<(), StructureError> {
        self.check_maintenance()?;
        let n_products = self.products.len();
        if self.stations.is_empty() {
            return Err(StructureError::line("the line has no stations"));
        }
        if self.sinks.is_empty() {
            return Err(StructureError::line("the line has no sinks"));
        }
        for (i, station) in self.stations.iter().enumerate() {
            let (name, at) = (&station.name, |field: &str| {
                format!("stations[{i}].{field}")
            });
            if station.servers == 0 {
                return err(
                    at("servers"),
                    format!("station `{name}`: must be at least 1, got 0"),
                );
            }
            if !(0.0..=1.0).contains(&station.scrap) {
                return err(
                    at("scrap"),
                    format!(
                        "station `{name}`: must be a probability in [0, 1], got {}",
                        station.scrap
                    ),
                );
            }
            if let Some(b) = station.input
                && b >= self.buffers.len()
            {
                return err(
                    at("input"),
                    format!("station `{name}`: buffer index {b} out of range"),
                );
            }
            if station.processing.len() != n_products {
                return err(
                    at("processing"),
                    format!(
                        "station `{name}`: {} processing entries for {n_products} products",
                        station.processing.len()
                    ),
                );
            }
            // Specs built in code may bypass the distribution constructors; a zero
            // mean processing time or time to failure would loop at one instant.
            let positive = |d: &sim_core::Distribution, field: String, what: &str| {
                d.check().map_err(|e| {
                    StructureError::at(field.clone(), format!("station `{name}`: {e}"))
                })?;
                if d.mean() > 0.0 {
                    Ok(())
                } else {
                    err(
                        field,
                        format!(
                            "station `{name}`: the mean {what} must be positive, got {}",
                            d.mean()
                        ),
                    )
                }
            };
            for d in station.processing.iter().flatten() {
                positive(d, at("processing"), "processing time")?;
            }
            if let Some(setup) = &station.setup {
                self.check_setup(setup, &at("setup"), name)?;
            }
            for (m, failure) in station.failures.iter().enumerate() {
                // Failure streams are keyed by `station/mode`: a `/` in the mode
                // name would let two modes of different stations share streams.
                if failure.name.contains('/') {
                    return err(
                        at(&format!("failures[{m}].name")),
                        format!(
                            "station `{name}`: a failure mode's name must not contain `/`, got `{}`",
                            failure.name
                        ),
                    );
                }
                positive(
                    &failure.ttf,
                    at(&format!("failures[{m}].ttf")),
                    "time to failure",
                )?;
                failure.ttr.check().map_err(|e| {
                    StructureError::at(
                        at(&format!("failures[{m}].ttr")),
                        format!("station `{name}`: {e}"),
                    )
                })?;
            }
        }
        for (p, product) in self.products.iter().enumerate() {
            let name = &product.name;
            if product.route.is_empty() {
                return err(
                    format!("products[{p}].route"),
                    format!("product `{name}`: the route is empty"),
                );
            }
            if product.family >= self.families.len() {
                return err(
                    format!("products[{p}].family"),
                    format!(
                        "product `{name}`: family index {} out of range",
                        product.family
                    ),
                );
            }
            if product.sink >= self.sinks.len() {
                return err(
                    format!("products[{p}].sink"),
                    format!("product `{name}`: sink index {} out of range", product.sink),
                );
            }
            for (k, step) in product.route.iter().enumerate() {
                let field = format!("products[{p}].route[{k}]");
                let Some(&first) = step.first() else {
                    return err(
                        field,
                        format!("product `{name}`: the step lists no station"),
                    );
                };
                if let Some(s) = step.iter().find(|&&s| s >= self.stations.len()) {
                    return err(
                        field,
                        format!("product `{name}`: station index {s} out of range"),
                    );
                }
                let input = self.stations[first].input;
                if let Some(&other) = step
                    .iter()
                    .skip(1)
                    .find(|&&s| input.is_none() || self.stations[s].input != input)
                {
                    let describe = |b: Option<usize>| {
                        b.map_or("no named buffer".to_owned(), |b| {
                            format!("`{}`", self.buffers[b].name)
                        })
                    };
                    return err(
                        field,
                        format!(
                            "alternatives `{}` and `{}` must share one named input buffer (set the same `input` on both), got {} and {}",
                            self.stations[first].name,
                            self.stations[other].name,
                            describe(input),
                            describe(self.stations[other].input)
                        ),
                    );
                }
            }
            if !product.step_processing.is_empty()
                && product.step_processing.len() != product.route.len()
            {
                return err(
                    format!("products[{p}].step_processing"),
                    format!(
                        "product `{name}`: {} step processing times for {} steps",
                        product.step_processing.len(),
                        product.route.len()
                    ),
                );
            }
            for (k, d) in product.step_processing.iter().enumerate() {
                if let Some(d) = d {
                    let field = format!("products[{p}].route[{k}].processing");
                    d.check().map_err(|e| {
                        StructureError::at(field.clone(), format!("product `{name}`: {e}"))
                    })?;
                    if d.mean().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                        return err(
                            field,
                            format!(
                                "product `{name}`: the mean processing time must be positive, got {}",
                                d.mean()
                            ),
                        );
                    }
                }
            }
            let own_time: Vec<bool> = (0..product.route.len())
                .map(|k| product.step_time(k).is_some())
                .collect();
            for (k, step) in product.route.iter().enumerate() {
                for &s in step {
                    if own_time[k] {
                        continue;
                    }
                    if self.stations[s].processing[p].is_none() {
                        return err(
                            format!("stations[{s}].processing"),
                            format!(
                                "station `{}` has no processing time for product `{name}`, which visits it",
                                self.stations[s].name
                            ),
                        );
                    }
                }
            }
        }
        for (i, source) in self.sources.iter().enumerate() {
            let (name, at) = (&source.name, |field: &str| format!("sources[{i}].{field}"));
            if let SourceKind::Arrivals { interarrival, .. } = &source.kind {
                interarrival.check().map_err(|e| {
                    StructureError::at(at("interarrival"), format!("source `{name}`: {e}"))
                })?;
                if interarrival.mean() <= 0.0 {
                    return err(
                        at("interarrival"),
                        format!(
                            "the mean interarrival time must be positive, got {}",
                            interarrival.mean()
                        ),
                    );
                }
            }
            if source.kind == SourceKind::Orders {
                if !source.mix.is_empty() || !source.sequence.is_empty() {
                    return err(
                        at("mix"),
                        format!(
                            "source `{name}`: a source of kind orders releases its orders' products; it takes no mix or sequence"
                        ),
                    );
                }
                continue;
            }
            if source.mix.is_empty() {
                return err(
                    at("mix"),
                    format!("source `{name}`: the mix names no product"),
                );
            }
            for &(p, w) in &source.mix {
                if p >= n_products {
                    return err(
                        at("mix"),
                        format!("source `{name}`: product index {p} out of range"),
                    );
                }
                if !(w.is_finite() && w >= 0.0) {
                    return err(
                        at("mix"),
                        format!(
                            "source `{name}`: the weight of product `{}` must be non-negative and finite, got {w}",
                            self.products[p].name
                        ),
                    );
                }
            }
            for (k, &p) in source.sequence.iter().enumerate() {
                if p >= n_products {
                    return err(
                        format!("sources[{i}].sequence[{k}]"),
                        format!("source `{name}`: product index {p} out of range"),
                    );
                }
                if !source.mix.iter().any(|&(q, w)| q == p && w > 0.0) {
                    return err(
                        format!("sources[{i}].sequence[{k}]"),
                        format!(
                            "source `{name}`: product `{}` is in the sequence but not in the mix",
                            self.products[p].name
                        ),
                    );
                }
            }
            let released: Vec<usize> = source
                .mix
                .iter()
                .filter(|m| m.1 > 0.0)
                .map(|m| m.0)
                .collect();
            let Some(&first) = released.first() else {
                return err(at("mix"), "at least one weight must be positive".to_owned());
            };
            if source.kind == SourceKind::Saturated
                && let Some(&other) = released
                    .iter()
                    .find(|&&p| self.products[p].route[0] != self.products[first].route[0])
            {
                return err(
                    at("mix"),
                    format!(
                        "a saturated source's products must start at the same station, but `{}` and `{}` start at different ones",
                        self.products[first].name, self.products[other].name
                    ),
                );
            }
        }
        self.check_saturated_buffers()?;
        self.check_orders()?;
        // One pass over the mixes and orders (not one per product).
        let mut released = vec![false; n_products];
        for source in &self.sources {
            for &(q, w) in &source.mix {
                if w > 0.0 {
                    released[q] = true;
                }
            }
        }
        for order in &self.orders {
            if let Some(r) = released.get_mut(order.product) {
                *r = true;
            }
        }
        for (p, product) in self.products.iter().enumerate() {
            if !released[p] {
                return err(
                    format!("products[{p}]"),
                    format!(
                        "product `{}` is released by no source: add it to a source's `mix` or order it",
                        product.name
                    ),
                );
            }
        }
        Ok(())
    }

    /// A saturated source keeps its first buffer full; two of them on one
    /// buffer would compete for it (the engine keeps one per buffer), so that
    /// is refused. The first buffer is the named input of the first station of
    /// the source's first product, or that station's own input.
    fn check_saturated_buffers(&self) -> Result<(), StructureError> {
        let mut feeding: std::collections::HashMap<(bool, usize), usize> =
            std::collections::HashMap::new();
        for (i, source) in self.sources.iter().enumerate() {
            if source.kind != SourceKind::Saturated {
                continue;
            }
            let Some(&(p, _)) = source.mix.iter().find(|m| m.1 > 0.0) else {
                continue;
            };
            let station = self.products[p].route[0][0];
            let buffer = match self.stations[station].input {
                Some(b) => (true, b),
                None => (false, station),
            };
            if let Some(&first) = feeding.get(&buffer) {
                let what = match buffer {
                    (true, b) => format!("buffer `{}`", self.buffers[b].name),
                    (false, s) => format!("the input of station `{}`", self.stations[s].name),
                };
                return err(
                    format!("sources[{i}].kind"),
                    format!(
                        "saturated sources `{}` and `{}` both feed {what}; one saturated source per first buffer (give one source a `mix` of both products)",
                        self.sources[first].name, source.name
                    ),
                );
            }
            feeding.insert(buffer, i);
        }
        Ok(())
    }

    /// Orders name a product in range and a source of kind orders, and have a
    /// quantity of at least 1, a finite release time >= 0, a due date (or none),
    /// a positive weight and a finite priority.
    fn check_orders(&self) -> Result<(), StructureError> {
        for (i, order) in self.orders.iter().enumerate() {
            let (id, at) = (&order.id, |field: &str| format!("orders[{i}].{field}"));
            if order.product >= self.products.len() {
                return err(
                    at("product"),
                    format!("order `{id}`: product index {} out of range", order.product),
                );
            }
            match self.sources.get(order.source) {
                Some(s) if s.kind == SourceKind::Orders => {}
                Some(s) => {
                    return err(
                        at("source"),
                        format!("order `{id}`: source `{}` is not of kind orders", s.name),
                    );
                }
                None => {
                    return err(
                        at("source"),
                        format!("order `{id}`: source index {} out of range", order.source),
                    );
                }
            }
            if order.quantity == 0 {
                return err(
                    at("quantity"),
                    format!("order `{id}`: must be at least 1, got 0"),
                );
            }
            if !(order.release.is_finite() && order.release >= 0.0) {
                return err(
                    at("release"),
                    format!(
                        "order `{id}`: must be non-negative and finite, got {}",
                        order.release
                    ),
                );
            }
            if order.due.is_nan() || order.due == f64::NEG_INFINITY {
                return err(
                    at("due"),
                    format!("order `{id}`: must be a time, got {}", order.due),
                );
            }
            if !(order.weight.is_finite() && order.weight > 0.0) {
                return err(
                    at("weight"),
                    format!(
                        "order `{id}`: must be positive and finite, got {}",
                        order.weight
                    ),
                );
            }
            if !order.priority.is_finite() {
                return err(
                    at("priority"),
                    format!("order `{id}`: must be finite, got {}", order.priority),
                );
            }
        }
        Ok(())
    }
}

impl LineSpec {
    /// A setup matrix names families in range, each ordered pair of different
    /// families at most once, and valid non-negative setup times.
    fn check_setup(
        &self,
        setup: &crate::SetupSpec,
        field: &str,
        station: &str,
    ) -> Result<(), StructureError> {
        let families = self.families.len();
        let time = |d: &sim_core::Distribution, at: String| {
            d.check()
                .map_err(|e| StructureError::at(at, format!("station `{station}`: {e}")))
        };
        if let Some(initial) = setup.initial
            && initial >= families
        {
            return err(
                format!("{field}.initial"),
                format!("station `{station}`: family index {initial} out of range"),
            );
        }
        if let Some(d) = &setup.default {
            time(d, format!("{field}.default"))?;
        }
        let mut seen = std::collections::HashSet::new();
        for (k, (from, to, d)) in setup.pairs.iter().enumerate() {
            let at = format!("{field}.pairs[{k}]");
            if *from >= families || *to >= families {
                return err(
                    at,
                    format!("station `{station}`: family index out of range"),
                );
            }
            if from == to {
                return err(
                    at,
                    format!(
                        "station `{station}`: a family needs no setup to itself (`{}`)",
                        self.families[*from]
                    ),
                );
            }
            if !seen.insert((*from, *to)) {
                return err(
                    at,
                    format!(
                        "station `{station}`: the setup `{}` -> `{}` is given twice",
                        self.families[*from], self.families[*to]
                    ),
                );
            }
            time(d, at)?;
        }
        Ok(())
    }
}

impl LineGraph {
    /// The material-flow graph.
    pub fn graph(&self) -> &DiGraph<Node, ()> {
        &self.graph
    }

    /// The graph node of station `station`.
    pub fn station_node(&self, station: usize) -> NodeIndex {
        self.station_nodes[station]
    }

    /// Structural oddities that do not stop a run (unvisited stations, cycles
    /// through finite buffers that can deadlock, …).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
