//! Orders in scenario files: `[[orders]]`, a CSV file named by a source of kind
//! `orders`, and the exact messages for their mistakes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use scenarios::Scenario;

/// A directory with a scenario and its files, removed on drop.
struct Study(PathBuf);

impl Study {
    fn new(files: &[(&str, &str)]) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "linetwin-orders-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create the study directory");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write a study file");
        }
        Self(dir)
    }

    fn open(&self) -> Result<Scenario, String> {
        Scenario::from_path(self.0.join("line.toml")).map_err(|e| {
            // The message without the temporary directory.
            e.to_string().replace(&format!("{}/", self.0.display()), "")
        })
    }
}

impl Drop for Study {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Two products on one machine, a source of kind orders; `source` and `orders`
/// are appended to the source and to the file.
fn line(source: &str, orders: &str) -> String {
    format!(
        r#"[scenario]
name = "orders"
time_unit = "min"
horizon = 100

[[products]]
name = "A"
route = ["M"]

[[products]]
name = "B"
route = ["M"]

[[sinks]]
name = "out"

[[stations]]
name = "M"
processing = {{ dist = "constant", value = 2 }}

[[sources]]
name = "book"
kind = "orders"
{source}
{orders}"#
    )
}

fn error(toml: &str, files: &[(&str, &str)]) -> String {
    let mut all = vec![("line.toml", toml)];
    all.extend_from_slice(files);
    match Study::new(&all).open() {
        Ok(_) => panic!("expected an error for:\n{toml}"),
        Err(e) => e,
    }
}

const CSV: &str = "id,product,quantity,release,due,weight\n\
                   w1,A,2,0,10,1\n\
                   w2,B,1,1,,2\n";

#[test]
fn orders_from_toml_and_from_a_csv_file_together() {
    let toml = line(
        r#"file = "orders.csv""#,
        "[[orders]]\nid = \"t1\"\nproduct = \"B\"\nrelease = 3\ndue = 4\n",
    );
    let study = Study::new(&[("line.toml", &toml), ("orders.csv", CSV)]);
    let scenario = study.open().expect("valid");
    let orders = &scenario.line().orders;
    let ids: Vec<&str> = orders.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["t1", "w1", "w2"]);
    assert_eq!((orders[1].quantity, orders[1].due), (2, 10.0));
    assert_eq!((orders[2].due, orders[2].weight), (f64::INFINITY, 2.0));
    let kpis = scenario.run(&Default::default()).expect("runs");
    // w1's two parts (released at 0) take 0–2 and 2–4, w2 (at 1) 4–6, t1 (at 3) 6–8.
    let table = &kpis.orders.as_ref().expect("orders").table;
    let done: Vec<f64> = table.iter().map(|o| o.completion.expect("done")).collect();
    assert_eq!(done, [8.0, 4.0, 6.0]);
}

#[test]
fn order_with_unknown_product() {
    assert_eq!(
        error(&line("", "[[orders]]\nid = \"o\"\nproduct = \"C\"\n"), &[]),
        "line.toml:27: orders[0].product: unknown product `C` (known: `A`, `B`)"
    );
}

#[test]
fn order_id_used_twice() {
    assert_eq!(
        error(
            &line(
                r#"file = "orders.csv""#,
                "[[orders]]\nid = \"w2\"\nproduct = \"A\"\n"
            ),
            &[("orders.csv", CSV)]
        ),
        "line.toml:24: sources[0].file: `orders.csv` line 3: id: `w2` is used twice (also in orders[0])"
    );
}

#[test]
fn csv_with_a_bad_number() {
    assert_eq!(
        error(
            &line(r#"file = "orders.csv""#, ""),
            &[("orders.csv", "id,product,quantity\nx,A,two\n")]
        ),
        "line.toml:24: sources[0].file: `orders.csv`: line 2: quantity: invalid digit found in string"
    );
}

#[test]
fn csv_with_an_unknown_column() {
    let message = error(
        &line(r#"file = "orders.csv""#, ""),
        &[("orders.csv", "id,product,qty\nx,A,2\n")],
    );
    assert!(
        message.starts_with(
            "line.toml:24: sources[0].file: `orders.csv`: line 2: unknown field `qty`"
        ),
        "{message}"
    );
}

#[test]
fn orders_file_outside_the_study() {
    assert_eq!(
        error(&line(r#"file = "../../etc/passwd""#, ""), &[]),
        "line.toml:24: sources[0].file: `../../etc/passwd` must be a path inside the scenario's directory (no `..`, not absolute)"
    );
}

#[test]
fn missing_orders_file() {
    assert_eq!(
        error(&line(r#"file = "none.csv""#, ""), &[]),
        "line.toml:24: sources[0].file: `none.csv`: No such file or directory (os error 2)"
    );
}

#[test]
fn order_with_negative_quantity_and_no_orders_source() {
    assert_eq!(
        error(
            &line(
                "",
                "[[orders]]\nid = \"o\"\nproduct = \"A\"\nquantity = 0\n"
            ),
            &[]
        ),
        "line.toml:28: orders[0].quantity: must be an integer from 1 to 1000000, got 0"
    );
    let arrivals = line("", "[[orders]]\nid = \"o\"\nproduct = \"A\"\n").replace(
        "kind = \"orders\"",
        "kind = \"saturated\"\nmix = { A = 1, B = 1 }",
    );
    assert_eq!(
        error(&arrivals, &[]),
        "line.toml:26: orders[0].source: no source is of kind `orders`: add one to release the orders"
    );
}

#[test]
fn orders_source_with_a_mix() {
    assert_eq!(
        error(&line("mix = { A = 1 }", ""), &[]),
        "line.toml:24: sources[0].mix: a source of kind `orders` releases its orders' parts: it takes no `interarrival`, `when_full`, `mix` or `sequence`"
    );
}

#[test]
fn route_steps_with_their_own_processing_time() {
    let orders = "[[orders]]\nid = \"j1\"\nproduct = \"A\"\n\n[[orders]]\nid = \"j2\"\nproduct = \"B\"\nrelease = 50\n";
    let toml = line("", orders).replace(
        r#"route = ["M"]"#,
        r#"route = ["M", { station = "M", processing = { dist = "constant", value = 5 } }]"#,
    );
    let study = Study::new(&[("line.toml", &toml)]);
    let scenario = study.open().expect("valid");
    assert_eq!(scenario.line().products[0].step_processing.len(), 2);
    let kpis = scenario.run(&Default::default()).expect("runs");
    // A: M 0–2 with the station's time, then M again 2–7 with its own.
    let orders = kpis.orders.as_ref().expect("orders");
    assert_eq!(orders.table[0].completion, Some(7.0));
    // The table form writes back and reads the same.
    let again =
        Scenario::from_toml_in(&scenario.to_toml(), "again.toml", &study.0).expect("round trip");
    assert_eq!(again.file, scenario.file);
}

#[test]
fn route_step_table_without_a_station() {
    let toml = line("", "").replace(
        r#"route = ["M"]"#,
        r#"route = [{ processing = { dist = "constant", value = 5 } }]"#,
    );
    assert_eq!(
        error(&toml, &[]),
        "line.toml:8: products[0].route[0]: an operation names `station` or `stations` (one of them)"
    );
}
