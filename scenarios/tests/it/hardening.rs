//! Hardening (issue 13): inputs from other people must not crash, hang, read
//! files outside the study or give silently wrong results. Each test is named
//! after what broke.

use scenarios::Scenario;

/// A serial line of `n` stations `s0 … s{n-1}`, each behind a buffer of 2 but
/// the first, with a constant processing time of 1 except at the stations in
/// `without_time`.
fn long_line(n: usize, without_time: &[usize]) -> String {
    let route: Vec<String> = (0..n).map(|i| format!("\"s{i}\"")).collect();
    let mut text = format!(
        "[scenario]\nname = \"long\"\ntime_unit = \"min\"\nhorizon = 100\n\n\
         [[products]]\nname = \"p\"\nroute = [{}]\n\n\
         [[sources]]\nname = \"src\"\nkind = \"saturated\"\n\n[[sinks]]\nname = \"out\"\n",
        route.join(", ")
    );
    for i in 0..n {
        text.push_str(&format!("\n[[stations]]\nname = \"s{i}\"\n"));
        if !without_time.contains(&i) {
            text.push_str("processing = { dist = \"constant\", value = 1 }\n");
        }
        if i > 0 {
            text.push_str(&format!("input = \"b{i}\"\n"));
        }
    }
    for i in 1..n {
        text.push_str(&format!("\n[[buffers]]\nname = \"b{i}\"\ncapacity = 2\n"));
    }
    text
}

/// Validation used to compare every station with every route step (about 38 s
/// for 20 000 stations); it is linear now. The test checks the result, not the
/// time: every station of a long line gets its processing time.
#[test]
fn long_line_validation_resolves_every_station() {
    let n = 20_000;
    let scenario = Scenario::from_toml(&long_line(n, &[]), "long.toml").expect("valid");
    let line = scenario.line();
    assert_eq!(line.stations.len(), n);
    assert_eq!(line.buffers.len(), n - 1);
    assert_eq!(line.products[0].route.len(), n);
    for (i, station) in line.stations.iter().enumerate() {
        assert_eq!(station.name, format!("s{i}"));
        assert_eq!(
            station.processing[0].as_ref().map(|d| d.mean()),
            Some(1.0),
            "station {i}"
        );
    }
}

#[test]
fn long_line_names_the_station_without_a_processing_time() {
    let message = Scenario::from_toml(&long_line(20_000, &[19_998]), "long.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "long.toml:100006: stations[19998].processing: station `s19998` has no processing time for \
         product `p`, which visits it: give `processing` or `processing_by_product.p`"
    );
}
