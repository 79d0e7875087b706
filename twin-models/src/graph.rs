//! The line as a material-flow graph (petgraph): structural checks and analyses.

use petgraph::algo::{has_path_connecting, tarjan_scc};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::{LineSpec, SourceKind};

/// A structural mistake that stops a line from running, with a message naming the
/// entity and the offending value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StructureError(pub String);

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

fn err<T>(message: String) -> Result<T, StructureError> {
    Err(StructureError(message))
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

        let mut warnings = Vec::new();
        for (i, station) in self.stations.iter().enumerate() {
            let visited = self
                .products
                .iter()
                .any(|p| p.route.iter().flatten().any(|&s| s == i));
            if !visited {
                warnings.push(format!(
                    "station `{}` is on no product's route",
                    station.name
                ));
            } else if !sources
                .iter()
                .any(|&src| has_path_connecting(&graph, src, stations[i], None))
            {
                warnings.push(format!(
                    "station `{}` is reached by no part from any source",
                    station.name
                ));
            }
        }
        for (b, buffer) in self.buffers.iter().enumerate() {
            if !self.stations.iter().any(|s| s.input == Some(b)) {
                warnings.push(format!("buffer `{}` feeds no station", buffer.name));
            }
        }
        for component in tarjan_scc(&graph) {
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
                warnings.push(format!(
                    "stations {} form a cycle through finite buffers: the line can deadlock (blocking after service)",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        Ok(LineGraph {
            graph,
            station_nodes: stations,
            warnings,
        })
    }

    fn check_entities(&self) -> Result<(), StructureError> {
        let n_products = self.products.len();
        if self.stations.is_empty() {
            return err("the line has no stations".into());
        }
        if self.sinks.is_empty() {
            return err("the line has no sinks".into());
        }
        for station in &self.stations {
            let name = &station.name;
            if station.servers == 0 {
                return err(format!(
                    "station `{name}`: `servers` must be at least 1, got 0"
                ));
            }
            if !(0.0..=1.0).contains(&station.scrap) {
                return err(format!(
                    "station `{name}`: `scrap` must be a probability in [0, 1], got {}",
                    station.scrap
                ));
            }
            if let Some(b) = station.input
                && b >= self.buffers.len()
            {
                return err(format!(
                    "station `{name}`: input buffer index {b} out of range"
                ));
            }
            // Specs built in code may bypass the distribution constructors; a zero
            // mean processing time or time to failure would loop at one instant.
            let positive = |d: &sim_core::Distribution, what: &str| {
                d.check()
                    .map_err(|e| StructureError(format!("station `{name}`: {what}: {e}")))?;
                if d.mean() > 0.0 {
                    Ok(())
                } else {
                    err(format!(
                        "station `{name}`: {what} must have a positive mean, got {}",
                        d.mean()
                    ))
                }
            };
            for d in station.processing.iter().flatten() {
                positive(d, "processing time")?;
            }
            for failure in &station.failures {
                positive(&failure.ttf, "time to failure")?;
                failure.ttr.check().map_err(|e| {
                    StructureError(format!("station `{name}`: time to repair: {e}"))
                })?;
            }
            if station.processing.len() != n_products {
                return err(format!(
                    "station `{name}`: {} processing entries for {n_products} products",
                    station.processing.len()
                ));
            }
        }
        for product in &self.products {
            let name = &product.name;
            if product.route.is_empty() {
                return err(format!("product `{name}`: `route` is empty"));
            }
            if product.sink >= self.sinks.len() {
                return err(format!(
                    "product `{name}`: sink index {} out of range",
                    product.sink
                ));
            }
            for (k, step) in product.route.iter().enumerate() {
                let Some(&first) = step.first() else {
                    return err(format!(
                        "product `{name}`: route step {} lists no station",
                        k + 1
                    ));
                };
                for &s in step {
                    if s >= self.stations.len() {
                        return err(format!("product `{name}`: station index {s} out of range"));
                    }
                }
                let input = self.stations[first].input;
                for &s in step {
                    let station = &self.stations[s];
                    if station.input != input || (input.is_none() && s != first) {
                        return err(format!(
                            "product `{name}`: route step {} offers stations `{}` and `{}`, which have different input buffers; alternatives must share one named input buffer",
                            k + 1,
                            self.stations[first].name,
                            station.name
                        ));
                    }
                }
            }
        }
        for (p, product) in self.products.iter().enumerate() {
            for &s in product.route.iter().flatten() {
                if self.stations[s].processing[p].is_none() {
                    return err(format!(
                        "station `{}`: no processing time for product `{}`, which visits it",
                        self.stations[s].name, product.name
                    ));
                }
            }
        }
        for source in &self.sources {
            let name = &source.name;
            if let SourceKind::Arrivals { interarrival, .. } = &source.kind {
                interarrival
                    .check()
                    .map_err(|e| StructureError(format!("source `{name}`: interarrival: {e}")))?;
                if interarrival.mean() <= 0.0 {
                    return err(format!(
                        "source `{name}`: the mean interarrival time must be positive, got {}",
                        interarrival.mean()
                    ));
                }
            }
            if source.mix.is_empty() {
                return err(format!("source `{name}`: `mix` names no product"));
            }
            for &(p, w) in &source.mix {
                if p >= n_products {
                    return err(format!("source `{name}`: product index {p} out of range"));
                }
                if !(w.is_finite() && w >= 0.0) {
                    return err(format!(
                        "source `{name}`: weight of product `{}` must be non-negative and finite, got {w}",
                        self.products[p].name
                    ));
                }
            }
            let total: f64 = source.mix.iter().map(|m| m.1).sum();
            if total <= 0.0 {
                return err(format!(
                    "source `{name}`: the weights of `mix` sum to {total}; at least one must be positive"
                ));
            }
            if source.kind == SourceKind::Saturated {
                let first = &self.products[source.mix[0].0].route[0];
                for &(p, _) in &source.mix {
                    if &self.products[p].route[0] != first {
                        return err(format!(
                            "source `{name}`: a saturated source's products must start at the same station, but `{}` and `{}` start differently",
                            self.products[source.mix[0].0].name, self.products[p].name
                        ));
                    }
                }
            }
        }
        for product in &self.products {
            let released = self.sources.iter().any(|s| {
                s.mix
                    .iter()
                    .any(|&(p, w)| w > 0.0 && self.products[p].name == product.name)
            });
            if !released {
                return err(format!(
                    "product `{}` is released by no source",
                    product.name
                ));
            }
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
