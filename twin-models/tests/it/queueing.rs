//! Single stations and tandem queues against the exact M/M/c/K and Jackson formulas.
//!
//! Every experiment starts empty and discards a warm-up of more than 20 relaxation
//! times of the queue it simulates. For a birth-death queue of utilisation `rho` the
//! relaxation time is about `1 / (mu (1 - sqrt(rho))^2)` (Morse; Gross & Harris), 90 time
//! units for `rho = 0.8` and `mu = 1`; the initial-transient bias left after the warm-up
//! is then below `e^-20` of the value, so no bias allowance is needed. Time averages over
//! `[warmup, horizon]` of a stationary process are unbiased, and so is the mean lead time
//! of the parts that leave in `[warmup, horizon]` (departures see the stationary sojourn
//! distribution); the per-replication ratio estimators carry only an O(1/n) bias with
//! n > 10^5 parts per replication.

use twin_models::WhenFull;
use twin_models::analytic::{MmcK, jackson_tandem_sojourn};

use crate::builders::{Stage, poisson_arrivals, serial_line};
use crate::estimates::{Experiment, Tolerance, assert_agrees, estimate};

/// Long enough for a half-width of about 1% of `L` at `rho = 0.8`: the asymptotic
/// variance of the time-average queue length of M/M/1 is `2 rho (1 + rho) / (1 - rho)^4`
/// per unit time (Whitt), 1800 here, so 20 × 10^5 time units give a standard error of
/// `sqrt(1800 / 2e6) = 0.03` on `L = 4`.
const HEAVY_TRAFFIC: Experiment = Experiment {
    seed: 20_240_601,
    replications: 20,
    horizon: 100_000.0,
    warmup: 2_000.0,
};

#[test]
fn mm1_waiting_time_and_queue_length() {
    let (lambda, mu) = (0.8, 1.0);
    let spec = serial_line(
        "M/M/1",
        poisson_arrivals(1.0 / lambda, WhenFull::Block),
        &[Stage::exponential(1.0 / mu)],
    )
    .build();
    let queue = MmcK::mm1(lambda, mu);
    let runs = HEAVY_TRAFFIC.run(&spec);
    let busy = |k: &twin_models::Kpis| k.stations["S0"].states.busy;
    let tolerance = Tolerance::STATISTICAL;

    assert_agrees(
        "M/M/1 W",
        estimate(&runs, |k| k.line.lead_time.mean),
        queue.mean_sojourn_time().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1 Wq",
        estimate(&runs, |k| k.line.lead_time.mean - 1.0 / mu),
        queue.mean_waiting_time().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1 L",
        estimate(&runs, |k| k.line.wip_mean),
        queue.mean_in_system().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1 Lq",
        estimate(&runs, |k| k.line.wip_mean - busy(k)),
        queue.mean_in_queue().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1 utilisation",
        estimate(&runs, busy),
        lambda / mu,
        tolerance,
    );
    assert_agrees(
        "M/M/1 throughput",
        estimate(&runs, |k| k.line.throughput),
        lambda,
        tolerance,
    );
}

#[test]
fn mmc_waiting_time_and_queue_length() {
    let (lambda, mu, servers) = (2.4, 1.0, 3);
    let spec = serial_line(
        "M/M/3",
        poisson_arrivals(1.0 / lambda, WhenFull::Block),
        &[Stage::exponential(1.0 / mu).servers(servers)],
    )
    .build();
    let queue = MmcK::mmc(lambda, mu, servers as usize);
    // Busy servers on average: `servers` × the busy fraction of server time.
    let in_service = |k: &twin_models::Kpis| f64::from(servers) * k.stations["S0"].states.busy;
    let runs = HEAVY_TRAFFIC.run(&spec);
    let tolerance = Tolerance::STATISTICAL;

    assert_agrees(
        "M/M/3 W",
        estimate(&runs, |k| k.line.lead_time.mean),
        queue.mean_sojourn_time().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/3 Wq",
        estimate(&runs, |k| k.line.lead_time.mean - 1.0 / mu),
        queue.mean_waiting_time().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/3 L",
        estimate(&runs, |k| k.line.wip_mean),
        queue.mean_in_system().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/3 Lq",
        estimate(&runs, |k| k.line.wip_mean - in_service(k)),
        queue.mean_in_queue().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/3 busy servers",
        estimate(&runs, in_service),
        lambda / mu,
        tolerance,
    );
}

#[test]
fn mm1k_blocking_probability() {
    // An overloaded queue (rho = 1.2) with room for K = 5 parts in the system: the server
    // and K - 1 = 4 waiting places. Arrivals that find it full are lost.
    let (lambda, mu, capacity) = (1.2, 1.0, 5_u32);
    let spec = serial_line(
        "M/M/1/5",
        poisson_arrivals(1.0 / lambda, WhenFull::Lose),
        &[Stage::exponential(1.0 / mu).buffer(capacity - 1)],
    )
    .build();
    let queue = MmcK::mm1k(lambda, mu, capacity as usize);
    // A finite queue relaxes within a few dozen service times; 200 is plenty of warm-up.
    let runs = Experiment {
        seed: 7_001,
        replications: 20,
        horizon: 50_000.0,
        warmup: 200.0,
    }
    .run(&spec);
    let tolerance = Tolerance::STATISTICAL;

    assert_agrees(
        "M/M/1/5 P(block)",
        estimate(&runs, |k| {
            let arrivals = k.line.parts_lost + k.line.parts_released;
            k.line.parts_lost as f64 / arrivals as f64
        }),
        queue.blocking_probability().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1/5 L",
        estimate(&runs, |k| k.line.wip_mean),
        queue.mean_in_system().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1/5 throughput",
        estimate(&runs, |k| k.line.throughput),
        queue.effective_arrival_rate().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1/5 W",
        estimate(&runs, |k| k.line.lead_time.mean),
        queue.mean_sojourn_time().unwrap(),
        tolerance,
    );
    // The buffer holds the waiting parts: its mean content is Lq, it is full when
    // the system holds K, and a part waits Wq in it on average.
    assert_agrees(
        "M/M/1/5 buffer content (Lq)",
        estimate(&runs, |k| k.buffers["B0"].content_mean),
        queue.mean_in_queue().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1/5 buffer full fraction (p_K)",
        estimate(&runs, |k| k.buffers["B0"].full_fraction),
        queue.p_n(capacity as usize).unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/1/5 queue wait (Wq)",
        estimate(&runs, |k| k.stations["S0"].waiting_time_mean),
        queue.mean_waiting_time().unwrap(),
        tolerance,
    );
    for kpis in &runs {
        assert_eq!(kpis.buffers["B0"].content_max, u64::from(capacity - 1));
        assert_eq!(
            kpis.products["P0"].parts_completed,
            kpis.line.parts_completed
        );
    }
}

#[test]
fn jackson_tandem_sojourn_time() {
    let lambda = 1.0;
    let mus = [1.25, 1.5, 2.0];
    let stages: Vec<Stage> = mus.iter().map(|mu| Stage::exponential(1.0 / mu)).collect();
    let spec = serial_line(
        "Jackson tandem",
        poisson_arrivals(1.0 / lambda, WhenFull::Block),
        &stages,
    )
    .build();
    let sojourn = jackson_tandem_sojourn(lambda, &mus).unwrap();
    let runs = HEAVY_TRAFFIC.run(&spec);
    let tolerance = Tolerance::STATISTICAL;

    assert_agrees(
        "Jackson W",
        estimate(&runs, |k| k.line.lead_time.mean),
        sojourn,
        tolerance,
    );
    // Little's law on the exact W gives the exact mean number in the line.
    assert_agrees(
        "Jackson L",
        estimate(&runs, |k| k.line.wip_mean),
        lambda * sojourn,
        tolerance,
    );
    for (i, mu) in mus.iter().enumerate() {
        let name = format!("S{i}");
        assert_agrees(
            &format!("Jackson {name} utilisation"),
            estimate(&runs, |k| k.stations[&name].states.busy),
            lambda / mu,
            tolerance,
        );
    }
}

#[test]
fn erlang_loss_blocking_probability() {
    // M/M/3/3: no waiting place at all. An arrival enters only if one of the three
    // servers is idle (a buffer of capacity 0 has room exactly then), else it is lost:
    // the Erlang B formula.
    let (lambda, mu, servers) = (2.0, 1.0, 3);
    let spec = serial_line(
        "M/M/3/3",
        poisson_arrivals(1.0 / lambda, WhenFull::Lose),
        &[Stage::exponential(1.0 / mu).servers(servers).buffer(0)],
    )
    .build();
    let queue = MmcK {
        lambda,
        mu,
        servers: servers as usize,
        capacity: Some(servers as usize),
    };
    let runs = Experiment {
        seed: 3_303,
        replications: 10,
        horizon: 50_000.0,
        warmup: 100.0,
    }
    .run(&spec);
    let tolerance = Tolerance::STATISTICAL;

    assert_agrees(
        "M/M/3/3 P(block)",
        estimate(&runs, |k| {
            let arrivals = k.line.parts_lost + k.line.parts_released;
            k.line.parts_lost as f64 / arrivals as f64
        }),
        queue.blocking_probability().unwrap(),
        tolerance,
    );
    assert_agrees(
        "M/M/3/3 L",
        estimate(&runs, |k| k.line.wip_mean),
        queue.mean_in_system().unwrap(),
        tolerance,
    );
}
