//! Blocking after service and full buffers, on deterministic lines whose every event can
//! be worked out by hand.
//!
//! A buffer's capacity counts waiting parts only, so a buffer of capacity 0 still has
//! room when one of the servers it feeds is idle: the part goes straight onto it. A part
//! blocked on a server, or held by a blocking source, must move as soon as such room
//! appears.

use twin_models::{
    CompiledLine, Deadlock, FailureClock, LineSpec, RunError, RunOptions, SourceKind, WhenFull,
};

use crate::builders::{LineBuilder, Stage, constant, run, serial_line};

/// Saturated source, `S0` taking 1, a buffer of `capacity`, `S1` taking 1.5.
fn fast_then_slow(capacity: u32) -> LineSpec {
    let fast = Stage::new(constant(1.0));
    let slow = Stage::new(constant(1.5)).buffer(capacity);
    serial_line("fast then slow", SourceKind::Saturated, &[fast, slow]).build()
}

/// `S1` works back to back from t = 1 (when the first part reaches it) on, so it
/// completes parts at 1 + 1.5 k: 66 of them by t = 100, whatever the buffer.
const FAST_THEN_SLOW_COMPLETIONS: u64 = 66;

#[test]
fn blocked_machine_moves_on_when_the_buffer_frees() {
    let kpis = run(&fast_then_slow(1), 100.0);
    assert_eq!(kpis.line.parts_completed, FAST_THEN_SLOW_COMPLETIONS);
    assert!(kpis.stations["S0"].states.blocked > 0.3);
}

#[test]
fn blocked_machine_moves_on_when_the_next_machine_frees_behind_a_zero_capacity_buffer() {
    // t = 1: part 1 goes to S1 (until 2.5); t = 2: part 2 finishes on S0 and, with S1
    // busy and no waiting place, blocks S0; t = 2.5: S1 finishes and must take part 2.
    let kpis = run(&fast_then_slow(0), 100.0);
    assert_eq!(kpis.line.parts_completed, FAST_THEN_SLOW_COMPLETIONS);
}

/// Arrivals every time unit (the next one scheduled when the previous part enters) into a
/// buffer of capacity 0 in front of `S0` taking 1.5.
fn arrivals_into_zero_capacity(when_full: WhenFull) -> LineSpec {
    let station = Stage::new(constant(1.5)).buffer(0);
    let source = SourceKind::Arrivals {
        interarrival: constant(1.0),
        when_full,
    };
    serial_line("zero-capacity arrivals", source, &[station]).build()
}

#[test]
fn lose_source_turns_away_parts_that_find_no_idle_server() {
    // Arrivals at t = 1, 2, ..., 100: the odd ones find S0 idle (it finished the previous
    // part half a time unit earlier) and enter; the even ones find it busy and are lost.
    let kpis = run(&arrivals_into_zero_capacity(WhenFull::Lose), 100.5);
    assert_eq!(kpis.line.parts_released, 50);
    assert_eq!(kpis.line.parts_lost, 50);
    assert_eq!(kpis.line.parts_completed, 50);
}

#[test]
fn blocking_source_enters_when_the_server_frees_behind_a_zero_capacity_buffer() {
    // t = 1: part 1 enters (S0 busy until 2.5); t = 2: part 2 is held by the source;
    // t = 2.5: S0 frees and part 2 must enter, and so on: S0 works back to back from
    // t = 1, completing parts at 1 + 1.5 k.
    let kpis = run(&arrivals_into_zero_capacity(WhenFull::Block), 100.0);
    assert_eq!(kpis.line.parts_completed, FAST_THEN_SLOW_COMPLETIONS);
}

#[test]
fn blocked_part_moves_to_its_station_when_it_becomes_idle() {
    // S0 (0.1 per part, own unlimited buffer) feeds a shared buffer of capacity 1 in front
    // of S1 (product PX only, 3 per part) and S2 (product PY only, 10 per part). PY
    // arrives at t = 1, 2, 3, ...; PX at t = 1.4, 2.8, 4.2, ...
    //   t = 1.1: PY1 goes to S2 (until 11.1).   t = 1.5: PX1 goes to S1 (until 4.5).
    //   t = 2.1: PY2 takes the waiting place.
    //   t = 2.9: PX2 finds S1 busy and the place full: S0 is blocked holding it.
    //   t = 4.5: S1 finishes PX1 and is idle: PX2 must move onto it (until 7.5).
    // So S1 completes two operations by t = 10; S2 completes none.
    let mut line = LineBuilder::new("shared buffer, dedicated stations");
    let upstream = line.add_station(1, None);
    let shared = line.add_buffer(Some(1));
    let for_x = line.add_station(1, Some(shared));
    let for_y = line.add_station(1, Some(shared));
    let y = line.add_product(&[(&[upstream], constant(0.1)), (&[for_y], constant(10.0))]);
    let x = line.add_product(&[(&[upstream], constant(0.1)), (&[for_x], constant(3.0))]);
    for (product, interarrival) in [(y, 1.0), (x, 1.4)] {
        let source = SourceKind::Arrivals {
            interarrival: constant(interarrival),
            when_full: WhenFull::Block,
        };
        line.add_source(source, &[(product, 1.0)]);
    }
    let kpis = run(&line.build(), 10.0);
    assert_eq!(kpis.stations["S2"].operations, 0);
    assert_eq!(kpis.stations["S1"].operations, 2);
}

/// Products P0 and P1, each made by its own station (S0 and S1: 0.1 per part, own
/// unlimited buffer) from blocking arrivals every `interarrival[k]`, for a shared buffer
/// of capacity 1 in front of S2 (P1 only) and S3 (P0 only), which take `time[k]` per part.
fn feeders_into_a_shared_place(name: &str, interarrival: [f64; 2], time: [f64; 2]) -> LineSpec {
    let mut line = LineBuilder::new(name);
    let upstream = [line.add_station(1, None), line.add_station(1, None)];
    let shared = line.add_buffer(Some(1));
    let downstream = [
        line.add_station(1, Some(shared)),
        line.add_station(1, Some(shared)),
    ];
    for k in 0..2 {
        let product = line.add_product(&[
            (&[upstream[k]], constant(0.1)),
            (&[downstream[1 - k]], constant(time[k])),
        ]);
        let source = SourceKind::Arrivals {
            interarrival: constant(interarrival[k]),
            when_full: WhenFull::Block,
        };
        line.add_source(source, &[(product, 1.0)]);
    }
    line.build()
}

#[test]
fn blocked_part_is_not_held_up_by_a_waiter_for_another_station() {
    // S0 (PY only) and S1 (PX only), 0.1 per part and own unlimited buffers, feed a shared
    // buffer of capacity 1 in front of S2 (PX only, 3 per part) and S3 (PY only, 10 per
    // part). PY arrives at t = 1, 2, 3, ...; PX at t = 1.6, 3.2, 4.8, ...
    //   t = 1.1: PY1 goes to S3 (until 11.1).   t = 1.7: PX1 goes to S2 (until 4.7).
    //   t = 2.1: PY2 takes the waiting place.
    //   t = 3.1: PY3 finds no room: S0 is blocked (first waiter).
    //   t = 3.3: PX2 finds no room: S1 is blocked (second waiter).
    //   t = 4.7: S2 finishes PX1 and is idle: PX2 must move onto it (until 7.7), even
    //            though PY3, which waits longer, still has no room.
    // So S2 completes two operations by t = 10; S3 completes none.
    let spec =
        feeders_into_a_shared_place("waiters for different stations", [1.0, 1.6], [10.0, 3.0]);
    let kpis = run(&spec, 10.0);
    assert_eq!(kpis.stations["S3"].operations, 0);
    assert_eq!(kpis.stations["S2"].operations, 2);
}

#[test]
fn room_in_a_shared_queue_goes_to_the_longest_waiter_whatever_its_station() {
    // S0 (PX only) and S1 (PY only), 0.1 per part and own unlimited buffers, feed a shared
    // buffer of capacity 1 in front of S2 (PY only) and S3 (PX only), 3 per part. PY
    // arrives at t = 1, 2, 3, ...; PX at t = 1.6, 3.2, 4.8, ... PX is the first product,
    // so that an engine favouring the first class over the longest waiter would differ.
    //   t = 1.1: PY1 goes to S2 (until 4.1).   t = 1.7: PX1 goes to S3 (until 4.7).
    //   t = 2.1: PY2 takes the waiting place.
    //   t = 3.1: PY3 finds no room: S1 is blocked (first waiter).
    //   t = 3.3: PX2 finds no room: S0 is blocked (second waiter).
    //   t = 4.1: S2 takes PY2 (waited 2.0): the place is free, and either waiter fits;
    //            PY3, which waits longer, takes it. S1 takes PY4, blocked again at 4.2.
    //   t = 4.7: S3 finishes PX1 and is idle: PX2 moves straight onto it.
    //   t = 4.9: PX3 finds no room: S0 is blocked (after S1).
    //   t = 7.1: S2 takes PY3 (waited 3.0); PY4 (S1 waits longer) takes the place.
    //   t = 7.7: S3 finishes PX2: PX3 moves straight onto it.
    // So every part S3 takes comes straight from S0 (no wait), and S2 waits 0, 2 and 3.
    let spec = feeders_into_a_shared_place("longest waiter first", [1.6, 1.0], [3.0, 3.0]);
    let kpis = run(&spec, 10.0);
    assert_eq!(kpis.stations["S3"].operations, 2);
    assert_eq!(kpis.stations["S2"].operations, 2);
    assert_eq!(kpis.stations["S3"].waiting_time_mean, 0.0);
    assert!((kpis.stations["S2"].waiting_time_mean - 5.0 / 3.0).abs() < 1e-9);
}

/// A long saturated line of zero-capacity hand-overs whose last station is the slow
/// one: every upstream server is blocked, and each completion at the end lets the
/// whole chain move up by one. The unblocking cascade must not use stack in
/// proportion to the line's length (it once recursed through every station), so
/// the run is made on a thread with a small stack.
#[test]
fn long_blocked_chain_unblocks_without_deep_recursion() {
    const STATIONS: usize = 3_000;
    let mut stages = vec![Stage::new(constant(0.001)).buffer(0); STATIONS];
    stages[0] = Stage::new(constant(0.001));
    stages[STATIONS - 1] = Stage::new(constant(1000.0)).buffer(0);
    let spec = serial_line("long chain", SourceKind::Saturated, &stages).build();
    let kpis = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || run(&spec, 4_500.0))
        .expect("thread starts")
        .join()
        .expect("the run does not overflow its stack");
    // The first part reaches the last station at 2999 × 0.001 = 2.999 and it then
    // completes a part every 1000: at 1002.999, ..., 4002.999.
    assert_eq!(kpis.line.parts_completed, 4);
    // Every station holds one part (the last one processing, the others blocked).
    assert_eq!(kpis.line.parts_in_system, STATIONS as u64);
    assert_eq!(kpis.line.parts_released, STATIONS as u64 + 4);
}

/// Buffer figures on `fast_then_slow(1)` over [2.25, 4.5]: parts reach the buffer
/// at 1, 2, 3, 4 and `S1` takes them at 1 (straight on), 2.5, 4 and 5.5, so the
/// buffer holds one part over [2, 2.5] and [3, 4] and from 4 on. Over the period
/// that is 0.25 + 1 + 0.5 = 1.75 of content in 2.25, always at its capacity
/// of 1 when not empty; the part queued before the warm-up ended counts only
/// from 2.25, the one still waiting at the horizon up to 4.5.
#[test]
fn buffer_content_over_a_period_by_hand() {
    let kpis = twin_models::simulate(
        &fast_then_slow(1),
        &twin_models::RunOptions {
            seed: 1,
            replication: 0,
            horizon: 4.5,
            warmup: 2.25,
        },
    )
    .expect("a valid line");
    let buffer = &kpis.buffers["B0"];
    assert!(
        (buffer.content_mean - 1.75 / 2.25).abs() < 1e-12,
        "{buffer:?}"
    );
    assert!(
        (buffer.full_fraction - 1.75 / 2.25).abs() < 1e-12,
        "{buffer:?}"
    );
    assert_eq!(buffer.content_max, 1);
    // S1 took two parts in the period, at 2.5 (waited 0.5) and 4 (waited 1).
    assert!((kpis.stations["S1"].waiting_time_mean - 0.75).abs() < 1e-12);
}

/// A part visits S0, S1 and S0 again, with hand-overs (zero-capacity buffers)
/// between them: S0 makes part 1 over 0–1 and hands it to S1 (1–1.5), starts
/// part 2 (1–2); at 1.5 S1 must hand part 1 back to S0, which is busy, and at
/// 2 S0 must hand part 2 to S1, which is blocked: deadlocked by t = 2.
fn hand_over_loop(calendar_failures: bool) -> LineSpec {
    let mut line = LineBuilder::new("loop");
    let b0 = line.add_buffer(Some(0));
    let b1 = line.add_buffer(Some(0));
    let s0 = line.add_station(1, Some(b0));
    let s1 = line.add_station(1, Some(b1));
    let part = line.add_product(&[
        (&[s0], constant(1.0)),
        (&[s1], constant(0.5)),
        (&[s0], constant(1.0)),
    ]);
    line.add_source(SourceKind::Saturated, &[(part, 1.0)]);
    if calendar_failures {
        line.add_failure(s0, FailureClock::Calendar, constant(10.0), constant(1.0));
    }
    line.build()
}

#[test]
fn deadlock_in_a_loop_of_hand_overs_is_reported() {
    let options = RunOptions {
        seed: 1,
        replication: 0,
        horizon: 50.0,
        warmup: 0.0,
    };
    let compiled = CompiledLine::new(&hand_over_loop(false)).expect("a valid line");
    let expected = Deadlock {
        since: 2.0,
        stations: vec!["S0".into(), "S1".into()],
        buffers: vec!["B0".into(), "B1".into()],
    };
    assert_eq!(
        compiled.simulate_with_rules(&options, &[]),
        Err(RunError::Deadlock(expected.clone()))
    );
    let error = compiled.simulate(&options).expect_err("no KPIs");
    assert_eq!(error.message, expected.to_string());
    assert!(
        error
            .message
            .starts_with("the line deadlocked by t = 2: stations S0, S1 hold"),
        "{}",
        error.message
    );
    // Failures of a stuck server do not free it: still a deadlock. S0 fails at
    // 10, 21, 32 and 43 and blocks again after each repair, the last at 44.
    let with_failures = CompiledLine::new(&hand_over_loop(true)).expect("a valid line");
    match with_failures.simulate_with_rules(&options, &[]) {
        Err(RunError::Deadlock(d)) => {
            assert_eq!((d.since, d.stations), (44.0, expected.stations));
        }
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

/// Arrivals every 0.001 at a machine that takes 1 grow the line by about
/// 999 parts per time unit; at arrival k (t = k / 1000) the machine has
/// finished ⌊t − 0.001⌋ parts, so the line first holds more than 10⁷ parts at
/// k = 10 010 011, t ≈ 10 010.011: the run stops there instead of exhausting
/// memory.
#[test]
fn unstable_line_stops_at_the_wip_limit() {
    let mut line = LineBuilder::new("unstable");
    let machine = line.add_station(1, None);
    let part = line.add_product(&[(&[machine], constant(1.0))]);
    line.add_source(
        SourceKind::Arrivals {
            interarrival: constant(0.001),
            when_full: WhenFull::Block,
        },
        &[(part, 1.0)],
    );
    let options = RunOptions {
        seed: 1,
        replication: 0,
        horizon: 1e6,
        warmup: 0.0,
    };
    let compiled = CompiledLine::new(&line.build()).expect("a valid line");
    match compiled.simulate_with_rules(&options, &[]) {
        Err(error @ RunError::WipLimit { time }) => {
            assert!((time - 10_010.011).abs() < 0.01, "{time}");
            assert!(
                error
                    .to_string()
                    .starts_with("the line held more than 10000000 parts at t = 10010.01"),
                "{error}"
            );
        }
        other => panic!("expected the WIP limit, got {other:?}"),
    }
}
