//! Readable construction of [`LineSpec`] values: a builder that keeps the index links
//! consistent, and a shorthand for serial lines.

use sim_core::Distribution;
use twin_models::{
    BufferSpec, DispatchRule, FailureClock, FailureSpec, Kpis, LineSpec, OrderSpec, ProductSpec,
    RunOptions, SetupSpec, SinkSpec, SourceKind, SourceSpec, StationSpec, TimeUnit, WhenFull,
    simulate,
};

/// An exponential distribution with the given mean.
pub(crate) fn exponential(mean: f64) -> Distribution {
    Distribution::exponential(mean).expect("a positive finite mean")
}

/// A constant time.
pub(crate) fn constant(value: f64) -> Distribution {
    Distribution::constant(value).expect("a non-negative constant")
}

/// Replication 0 of seed 1 of `spec` over `[0, horizon]`, for deterministic lines
/// worked out by hand.
pub(crate) fn run(spec: &LineSpec, horizon: f64) -> Kpis {
    simulate(
        spec,
        &RunOptions {
            seed: 1,
            replication: 0,
            horizon,
            warmup: 0.0,
        },
    )
    .expect("a valid line")
}

/// Poisson arrivals with mean interarrival time `mean`.
pub(crate) fn poisson_arrivals(mean: f64, when_full: WhenFull) -> SourceKind {
    SourceKind::Arrivals {
        interarrival: exponential(mean),
        when_full,
    }
}

/// Builds a [`LineSpec`] entity by entity; every `add_*` returns the new entity's index.
///
/// Names are generated (`S0`, `B0`, `P0`, `Src0`, …) and unique; the line has one sink,
/// `out`, that every product leaves by.
#[derive(Clone, Debug)]
pub(crate) struct LineBuilder {
    spec: LineSpec,
}

impl LineBuilder {
    /// An empty line with one sink.
    pub(crate) fn new(name: &str) -> Self {
        Self {
            spec: LineSpec {
                name: name.to_owned(),
                time_unit: TimeUnit::Minutes,
                families: Vec::new(),
                products: Vec::new(),
                stations: Vec::new(),
                buffers: Vec::new(),
                sources: Vec::new(),
                sinks: vec![SinkSpec { name: "out".into() }],
                orders: Vec::new(),
                energy: None,
                crews: Vec::new(),
            },
        }
    }

    /// A named buffer holding at most `capacity` waiting parts (`None`: unlimited).
    pub(crate) fn add_buffer(&mut self, capacity: Option<u32>) -> usize {
        let index = self.spec.buffers.len();
        self.spec.buffers.push(BufferSpec {
            name: format!("B{index}"),
            capacity,
        });
        index
    }

    /// A station with `servers` parallel servers fed by the named buffer `input`, or by
    /// its own unlimited buffer when `input` is `None`.
    pub(crate) fn add_station(&mut self, servers: u32, input: Option<usize>) -> usize {
        let index = self.spec.stations.len();
        self.spec.stations.push(StationSpec {
            name: format!("S{index}"),
            servers,
            input,
            processing: vec![None; self.spec.products.len()],
            failures: Vec::new(),
            scrap: 0.0,
            setup: None,
            rule: DispatchRule::Fifo,
            planned_run_time: Vec::new(),
            power: None,
            wear: Vec::new(),
        });
        index
    }

    /// The number of parallel servers of `station`.
    pub(crate) fn station_servers(&self, station: usize) -> u32 {
        self.spec.stations[station].servers
    }

    /// Adds a failure mode to every server of `station`.
    pub(crate) fn add_failure(
        &mut self,
        station: usize,
        clock: FailureClock,
        ttf: Distribution,
        ttr: Distribution,
    ) {
        let failures = &mut self.spec.stations[station].failures;
        failures.push(FailureSpec {
            name: format!("F{}", failures.len()),
            clock,
            ttf,
            ttr,
        });
    }

    /// Adds a wear mode to every server of `station`.
    pub(crate) fn add_wear(&mut self, station: usize, wear: twin_models::WearSpec) {
        self.spec.stations[station].wear.push(wear);
    }

    /// Adds a maintenance crew and returns its index.
    pub(crate) fn add_crew(&mut self, crew: twin_models::CrewSpec) -> usize {
        self.spec.crews.push(crew);
        self.spec.crews.len() - 1
    }

    /// Sets the probability that a part processed at `station` is scrapped.
    pub(crate) fn set_scrap(&mut self, station: usize, probability: f64) {
        self.spec.stations[station].scrap = probability;
    }

    /// A product whose route is `steps`: each step lists the alternative stations that
    /// can do it and the processing time there (the stations must have been added).
    pub(crate) fn add_product(&mut self, steps: &[(&[usize], Distribution)]) -> usize {
        let index = self.spec.products.len();
        for station in &mut self.spec.stations {
            station.processing.push(None);
        }
        for (stations, processing) in steps {
            for &s in *stations {
                self.spec.stations[s].processing[index] = Some(processing.clone());
            }
        }
        // Each product is its own family (`P{index}`) until `set_family` says otherwise.
        self.spec.families.push(format!("P{index}"));
        self.spec.products.push(ProductSpec {
            name: format!("P{index}"),
            family: self.spec.families.len() - 1,
            route: steps
                .iter()
                .map(|(stations, _)| stations.to_vec())
                .collect(),
            sink: 0,
            step_processing: Vec::new(),
        });
        index
    }

    /// Gives step `step` of `product` its own processing time.
    pub(crate) fn set_step_time(&mut self, product: usize, step: usize, time: Distribution) {
        let p = &mut self.spec.products[product];
        p.step_processing.resize(p.route.len(), None);
        p.step_processing[step] = Some(time);
    }

    /// A source releasing the products of `mix` (`(product, weight)`).
    pub(crate) fn add_source(&mut self, kind: SourceKind, mix: &[(usize, f64)]) -> usize {
        let index = self.spec.sources.len();
        self.spec.sources.push(SourceSpec {
            name: format!("Src{index}"),
            kind,
            mix: mix.to_vec(),
            sequence: Vec::new(),
        });
        index
    }

    /// Makes `source` release its products in the cyclic `sequence` (and its mix
    /// the products of the sequence, weighted by their counts).
    pub(crate) fn set_sequence(&mut self, source: usize, sequence: &[usize]) {
        let spec = &mut self.spec.sources[source];
        spec.sequence = sequence.to_vec();
        spec.mix.clear();
        for &p in sequence {
            match spec.mix.iter_mut().find(|m| m.0 == p) {
                Some(m) => m.1 += 1.0,
                None => spec.mix.push((p, 1.0)),
            }
        }
    }

    /// An order of `quantity` parts of `product` released by `source` (of kind
    /// orders) at `release`, due at `due`, with weight and priority; its id is
    /// `o{index}`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_order(
        &mut self,
        source: usize,
        product: usize,
        quantity: u32,
        release: f64,
        due: f64,
        weight: f64,
        priority: f64,
    ) -> usize {
        let index = self.spec.orders.len();
        self.spec.orders.push(OrderSpec {
            id: format!("o{index}"),
            product,
            quantity,
            release,
            due,
            weight,
            priority,
            source,
        });
        index
    }

    /// Puts `product` in the family named `family` (created if new).
    pub(crate) fn set_family(&mut self, product: usize, family: &str) -> usize {
        let index = match self.spec.families.iter().position(|f| f == family) {
            Some(i) => i,
            None => {
                self.spec.families.push(family.to_owned());
                self.spec.families.len() - 1
            }
        };
        self.spec.products[product].family = index;
        index
    }

    /// Gives `station` a setup matrix.
    pub(crate) fn set_setup(&mut self, station: usize, setup: SetupSpec) {
        self.spec.stations[station].setup = Some(setup);
    }

    /// The finished spec.
    pub(crate) fn build(self) -> LineSpec {
        self.spec
    }
}

/// One stage of a serial line: its input buffer, servers and processing time.
#[derive(Clone, Debug)]
pub(crate) struct Stage {
    /// Capacity of the stage's input buffer: `None` gives the station its own unlimited
    /// buffer; `Some(c)` a named buffer holding at most `c` waiting parts.
    pub(crate) buffer: Option<u32>,
    /// Parallel servers.
    pub(crate) servers: u32,
    /// Processing time of the single product.
    pub(crate) processing: Distribution,
}

impl Stage {
    /// One server with the given processing time, behind an unlimited buffer.
    pub(crate) fn new(processing: Distribution) -> Self {
        Self {
            buffer: None,
            servers: 1,
            processing,
        }
    }

    /// One server with exponential processing of mean `mean`, behind an unlimited buffer.
    pub(crate) fn exponential(mean: f64) -> Self {
        Self::new(exponential(mean))
    }

    /// The same stage with `servers` parallel servers.
    pub(crate) fn servers(self, servers: u32) -> Self {
        Self { servers, ..self }
    }

    /// The same stage behind a named buffer holding at most `capacity` waiting parts.
    pub(crate) fn buffer(self, capacity: u32) -> Self {
        Self {
            buffer: Some(capacity),
            ..self
        }
    }
}

/// A single-product serial line: `source` feeds the first stage; station `i` of the
/// spec is `stages[i]`, named `S{i}`.
pub(crate) fn serial_line(name: &str, source: SourceKind, stages: &[Stage]) -> LineBuilder {
    let mut line = LineBuilder::new(name);
    let stations: Vec<usize> = stages
        .iter()
        .map(|stage| {
            let input = stage.buffer.map(|c| line.add_buffer(Some(c)));
            line.add_station(stage.servers, input)
        })
        .collect();
    let steps: Vec<(&[usize], Distribution)> = stations
        .iter()
        .zip(stages)
        .map(|(s, stage)| (std::slice::from_ref(s), stage.processing.clone()))
        .collect();
    let product = line.add_product(&steps);
    line.add_source(source, &[(product, 1.0)]);
    line
}
