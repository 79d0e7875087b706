//! `Scenario::to_toml` writes the format it reads: same file, same KPIs.

use scenarios::{Overrides, Scenario};

use crate::{BUNDLED, library};

#[test]
fn bundled_scenarios_round_trip_through_toml() {
    for name in BUNDLED {
        let original = Scenario::from_path(library(name)).expect("bundled scenario is valid");
        let text = original.to_toml();
        let reread = Scenario::from_toml_in(&text, "roundtrip.toml", &library(""))
            .unwrap_or_else(|e| panic!("{name}: to_toml output does not parse: {e}\n{text}"));
        assert_eq!(reread.file, original.file, "{name}: the file changed");
        assert_eq!(reread.to_toml(), text, "{name}: writing is not stable");
    }
}

#[test]
fn round_tripped_scenarios_give_identical_kpis() {
    for name in BUNDLED {
        let original = Scenario::from_path(library(name)).expect("bundled scenario is valid");
        let reread = Scenario::from_toml_in(&original.to_toml(), "roundtrip.toml", &library(""))
            .expect("round trip parses");
        let before = original.run(&Overrides::default()).expect("run");
        let after = reread.run(&Overrides::default()).expect("run");
        assert!(before.line.parts_completed > 0, "{name}: nothing completed");
        assert_eq!(after, before, "{name}: KPIs differ after the round trip");
    }
}
