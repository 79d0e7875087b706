//! Orders: a fixed job set on one machine, where each dispatching rule's
//! sequence (and so every order's completion) is worked out by hand, and the
//! order KPIs that follow from it.

use twin_models::{DispatchRule, Kpis, LineSpec, SourceKind};

use crate::builders::{LineBuilder, constant, run};

/// Four single-part orders released at time 0 on one machine (no setups):
///
/// | order | processing | due | weight | priority |
/// | --- | --- | --- | --- | --- |
/// | o0 | 4 | 12 | 1 | 0 |
/// | o1 | 1 | 9 | 1 | 3 |
/// | o2 | 3 | 4 | 3 | 1 |
/// | o3 | 2 | 6 | 1 | 2 |
///
/// They reach the machine together at t = 0: the first one (o0, released
/// first) goes straight onto the idle machine, whatever the rule; the rule
/// orders the other three.
fn job_set(rule: DispatchRule) -> LineSpec {
    let mut line = LineBuilder::new("job set");
    let machine = line.add_station(1, None);
    let times = [4.0, 1.0, 3.0, 2.0];
    let products: Vec<usize> = times
        .iter()
        .map(|&t| line.add_product(&[(&[machine], constant(t))]))
        .collect();
    let source = line.add_source(SourceKind::Orders, &[]);
    let terms = [
        (12.0, 1.0, 0.0),
        (9.0, 1.0, 3.0),
        (4.0, 3.0, 1.0),
        (6.0, 1.0, 2.0),
    ];
    for (p, (due, weight, priority)) in products.iter().zip(terms) {
        line.add_order(source, *p, 1, 0.0, due, weight, priority);
    }
    let mut spec = line.build();
    spec.stations[machine].rule = rule;
    spec
}

/// Completion times of o0..o3.
fn completions(kpis: &Kpis) -> Vec<f64> {
    let table = &kpis.orders.as_ref().expect("the line has orders").table;
    table.iter().map(|o| o.completion.expect("done")).collect()
}

fn assert_sequence(rule: DispatchRule, expected: [f64; 4]) {
    let kpis = run(&job_set(rule), 100.0);
    assert_eq!(completions(&kpis), expected, "{rule:?}");
}

/// o0 runs 0–4 under every rule. Then, among o1 (p 1, due 9), o2 (p 3, due 4),
/// o3 (p 2, due 6) at t = 4:
#[test]
fn each_rule_orders_a_job_set_by_hand() {
    // FIFO: o1 4–5, o2 5–8, o3 8–10.
    assert_sequence(DispatchRule::Fifo, [4.0, 5.0, 8.0, 10.0]);
    // LIFO: o3 4–6, o2 6–9, o1 9–10.
    assert_sequence(DispatchRule::Lifo, [4.0, 10.0, 9.0, 6.0]);
    // SPT: o1 (1), o3 (2), o2 (3).
    assert_sequence(DispatchRule::Spt, [4.0, 5.0, 10.0, 7.0]);
    // LPT: o2 (3), o3 (2), o1 (1).
    assert_sequence(DispatchRule::Lpt, [4.0, 10.0, 7.0, 9.0]);
    // EDD: o2 (4), o3 (6), o1 (9).
    assert_sequence(DispatchRule::Edd, [4.0, 10.0, 7.0, 9.0]);
    // Critical ratio at t = 4: o1 (9−4)/1 = 5, o2 0/3 = 0, o3 2/2 = 1 → o2 4–7;
    // at 7: o1 2/1 = 2, o3 −1/2 → o3 7–9, o1 9–10.
    assert_sequence(DispatchRule::CriticalRatio, [4.0, 10.0, 7.0, 9.0]);
    // Slack at 4: o1 5 − 1 = 4, o2 0 − 3 = −3, o3 2 − 2 = 0 → o2; at 7: o1 1, o3 −3 → o3.
    assert_sequence(DispatchRule::MinSlack, [4.0, 10.0, 7.0, 9.0]);
    // WSPT, p / w: o1 1, o2 1, o3 2 → o1 then o2 (tie, o1 arrived first), o3.
    assert_sequence(DispatchRule::Wspt, [4.0, 5.0, 8.0, 10.0]);
    // Priority: o1 (3), o3 (2), o2 (1).
    assert_sequence(DispatchRule::Priority, [4.0, 5.0, 10.0, 7.0]);
    // MWKR and LWKR: the remaining work is the processing time here.
    assert_sequence(DispatchRule::Mwkr, [4.0, 10.0, 7.0, 9.0]);
    assert_sequence(DispatchRule::Lwkr, [4.0, 5.0, 10.0, 7.0]);
}

/// ATC with k = 2 at t = 4; p̄ = (1 + 3 + 2) / 3 = 2, so the look-ahead is 4:
/// o1 w/p = 1, slack max(9 − 1 − 4, 0) = 4 → 1 · e^(−1) = 0.368;
/// o2 3/3 = 1, slack max(4 − 3 − 4, 0) = 0 → 1;
/// o3 1/2, slack max(6 − 2 − 4, 0) = 0 → 0.5. o2 first, 4–7. At t = 7,
/// p̄ = 1.5, look-ahead 3: o1 1 · e^(−max(9 − 1 − 7, 0)/3) = e^(−1/3) = 0.72;
/// o3 0.5 · e^0 = 0.5 → o1 7–8, o3 8–10.
#[test]
fn atc_by_hand() {
    assert_sequence(DispatchRule::Atc { k: 2.0 }, [4.0, 8.0, 7.0, 10.0]);
}

/// The order KPIs of the EDD run: completions 4, 10, 7, 9 against due dates 12,
/// 9, 4, 6 give lateness −8, 1, 3, 3 and tardiness 0, 1, 3, 3: three tardy orders
/// of four, mean tardiness 7/4, total weighted 1 + 3·3 + 3 = 13, mean flow time
/// 30/4 and the makespan 10.
#[test]
fn order_kpis_by_hand() {
    let kpis = run(&job_set(DispatchRule::Edd), 100.0);
    let orders = kpis.orders.expect("orders");
    assert_eq!((orders.orders, orders.done, orders.open), (4, 4, 0));
    assert_eq!(orders.makespan, Some(10.0));
    assert_eq!(orders.flow_time.mean, 7.5);
    assert_eq!(orders.flow_time.max, 10.0);
    assert_eq!(orders.tardy, 3);
    assert_eq!(orders.tardy_share, 0.75);
    assert_eq!(orders.on_time_rate, 0.25);
    assert_eq!(orders.tardiness.mean, 1.75);
    assert_eq!(orders.tardiness.max, 3.0);
    assert_eq!(orders.tardiness.total_weighted, 13.0);
    let lateness: Vec<f64> = orders
        .table
        .iter()
        .map(|o| o.lateness.expect("due"))
        .collect();
    assert_eq!(lateness, [-8.0, 1.0, 3.0, 3.0]);
}

/// An order of 3 parts released at 2 into a machine of processing 1 behind a
/// buffer of capacity 1: the first part goes straight on, the second waits in
/// the buffer, the third at the source until there is room. They complete at
/// 3, 4 and 5; before the horizon 4.5 the order is open, with 2 parts delivered.
#[test]
fn an_order_releases_its_parts_as_room_appears() {
    let mut line = LineBuilder::new("one order");
    let queue = line.add_buffer(Some(1));
    let machine = line.add_station(1, Some(queue));
    let product = line.add_product(&[(&[machine], constant(1.0))]);
    let source = line.add_source(SourceKind::Orders, &[]);
    line.add_order(source, product, 3, 2.0, f64::INFINITY, 1.0, 0.0);
    let spec = line.build();

    let kpis = run(&spec, 10.0);
    let order = &kpis.orders.as_ref().expect("orders").table[0];
    assert_eq!(order.completion, Some(5.0));
    assert_eq!(
        (order.completed, order.due, order.tardiness),
        (3, None, None)
    );
    assert_eq!(kpis.line.parts_released, 3);
    // The third part entered the line at 3, when the second left the buffer.
    assert_eq!(kpis.line.lead_time.max, 2.0);

    let kpis = run(&spec, 4.5);
    let orders = kpis.orders.expect("orders");
    assert_eq!((orders.done, orders.open, orders.makespan), (0, 1, None));
    assert_eq!(orders.table[0].completed, 2);
    assert!(orders.flow_time.mean.is_nan());
}

/// A job that revisits a station with another time: M (1), N (1), M again with
/// its own 3. Released at 0 by an order: M 0–1, N 1–2, M 2–5. M's planned run
/// time counts the step's own mean, so its OEE performance is exactly 1.
#[test]
fn a_step_with_its_own_processing_time() {
    let mut line = LineBuilder::new("job shop");
    let m = line.add_station(1, None);
    let n = line.add_station(1, None);
    let job = line.add_product(&[
        (&[m], constant(1.0)),
        (&[n], constant(1.0)),
        (&[m], constant(1.0)),
    ]);
    line.set_step_time(job, 2, constant(3.0));
    let source = line.add_source(SourceKind::Orders, &[]);
    line.add_order(source, job, 1, 0.0, 4.0, 1.0, 0.0);
    let kpis = run(&line.build(), 10.0);
    let orders = kpis.orders.as_ref().expect("orders");
    assert_eq!(orders.makespan, Some(5.0));
    assert_eq!(orders.table[0].tardiness, Some(1.0));
    let station = &kpis.stations["S0"];
    assert_eq!(station.operations, 2);
    assert!((station.states.busy * 10.0 - 4.0).abs() < 1e-12);
    assert!((station.oee.performance - 1.0).abs() < 1e-12);
}
