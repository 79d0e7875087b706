//! Run-to-failure datasets of a scenario's wear modes, for training and
//! benchmarking remaining-useful-life models: per unit, the condition signal
//! read at regular ages, labelled with the true health state and the remaining
//! useful life; written as CSV or Parquet.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use twin_models::{Reading, WearModel, run_to_failure};

use crate::{Overrides, Scenario, ScenarioError};

/// The most readings of one unit before it fails: a period far below the
/// life is a mistake, not a dataset.
pub const MAX_READINGS_PER_UNIT: usize = 1_000_000;

/// What to record: which wear mode, how many units, how often.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// The station; `None`: the first with a wear mode that has a signal.
    pub station: Option<&'a str>,
    /// The wear mode of that station; `None`: its first with a signal.
    pub mode: Option<&'a str>,
    /// Units to run to failure (>= 1).
    pub units: u32,
    /// Age between readings; `None`: the signal's period.
    pub every: Option<f64>,
    /// Master seed; `None`: the scenario's.
    pub seed: Option<u64>,
}

/// A run-to-failure dataset of one wear mode.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The station's name.
    pub station: String,
    /// The wear mode's name.
    pub mode: String,
    /// The health states' names, by index.
    pub states: Vec<String>,
    /// The readings, unit by unit in age order, each unit's last at its failure.
    pub rows: Vec<Reading>,
}

fn invalid(field: &str, message: String) -> ScenarioError {
    ScenarioError::Invalid {
        origin: "command line".into(),
        line: None,
        field: field.into(),
        message,
    }
}

impl Dataset {
    /// Runs `request.units` units of the requested wear mode of `scenario` to
    /// failure.
    ///
    /// Errors (naming the flag): an unknown station or mode, a station or
    /// scenario without a wear mode that has a signal, no units, a bad period
    /// (see [`run_to_failure`]).
    pub fn new(scenario: &Scenario, request: &Request<'_>) -> Result<Self, ScenarioError> {
        let line = scenario.line();
        if request.units == 0 {
            return Err(invalid("--units", "must be at least 1, got 0".into()));
        }
        let station = match request.station {
            Some(name) => line
                .stations
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| invalid("--station", format!("no station is named `{name}`")))?,
            None => line
                .stations
                .iter()
                .find(|s| s.wear.iter().any(|w| w.signal.is_some()))
                .ok_or_else(|| {
                    invalid(
                        "--station",
                        format!(
                            "no station of `{}` has a wear mode with a condition signal",
                            line.name
                        ),
                    )
                })?,
        };
        let wear = match request.mode {
            Some(name) => station
                .wear
                .iter()
                .find(|w| w.name == name)
                .ok_or_else(|| {
                    invalid(
                        "--mode",
                        format!("station `{}` has no wear mode `{name}`", station.name),
                    )
                })?,
            None => station
                .wear
                .iter()
                .find(|w| w.signal.is_some())
                .ok_or_else(|| {
                    invalid(
                        "--mode",
                        format!(
                            "station `{}` has no wear mode with a condition signal",
                            station.name
                        ),
                    )
                })?,
        };
        let seed = match request.seed {
            Some(seed) => seed,
            None => scenario.options(&Overrides::default())?.seed,
        };
        let rows = run_to_failure(
            wear,
            request.units,
            request.every,
            seed,
            MAX_READINGS_PER_UNIT,
        )
        .map_err(|e| {
            let field = if e.to_string().starts_with("signal") {
                "--mode"
            } else {
                "--every"
            };
            invalid(field, format!("station `{}`: {e}", station.name))
        })?;
        let states = match &wear.model {
            WearModel::Chain { states, .. } => states.clone(),
            _ => vec!["up".into(), "failed".into()],
        };
        Ok(Self {
            station: station.name.clone(),
            mode: wear.name.clone(),
            states,
            rows,
        })
    }

    /// The dataset as CSV: `unit,age,signal,state,state_index,rul`.
    pub fn to_csv(&self) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = out.write_record(["unit", "age", "signal", "state", "state_index", "rul"]);
        for r in &self.rows {
            let _ = out.write_record([
                r.unit.to_string(),
                r.age.to_string(),
                r.value.to_string(),
                self.states[r.state].clone(),
                r.state.to_string(),
                r.rul.to_string(),
            ]);
        }
        String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// Writes the dataset to `path`: Parquet for a `.parquet` name, CSV for
    /// `.csv`. The file appears whole or not at all (it is written beside and
    /// renamed).
    ///
    /// Errors: another extension ([`ScenarioError::Invalid`] on `--out`); the
    /// file cannot be written ([`ScenarioError::Io`]).
    pub fn write(&self, path: &Path) -> Result<(), ScenarioError> {
        let parquet = match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("parquet") => true,
            Some(e) if e.eq_ignore_ascii_case("csv") => false,
            _ => {
                return Err(invalid(
                    "--out",
                    format!(
                        "the file's name must end in .csv or .parquet, got `{}`",
                        path.display()
                    ),
                ));
            }
        };
        let io = |message: String| ScenarioError::Io {
            origin: path.display().to_string(),
            message,
        };
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = std::path::PathBuf::from(partial);
        let written = (|| -> Result<(), String> {
            let file = File::create(&partial).map_err(|e| e.to_string())?;
            if parquet {
                self.write_parquet(file).map_err(|e| e.to_string())
            } else {
                let mut w = BufWriter::new(file);
                w.write_all(self.to_csv().as_bytes())
                    .and_then(|()| w.flush())
                    .map_err(|e| e.to_string())
            }
        })();
        match written.and_then(|()| std::fs::rename(&partial, path).map_err(|e| e.to_string())) {
            Ok(()) => Ok(()),
            Err(message) => {
                let _ = std::fs::remove_file(&partial);
                Err(io(message))
            }
        }
    }

    fn write_parquet(&self, file: File) -> parquet::errors::Result<()> {
        let schema = Arc::new(parse_message_type(
            "message reading {
                REQUIRED INT32 unit;
                REQUIRED DOUBLE age;
                REQUIRED DOUBLE signal;
                REQUIRED BYTE_ARRAY state (UTF8);
                REQUIRED INT32 state_index;
                REQUIRED DOUBLE rul;
            }",
        )?);
        let properties = Arc::new(WriterProperties::builder().build());
        let mut writer = SerializedFileWriter::new(file, schema, properties)?;
        // Row groups of a million rows keep memory bounded on large datasets.
        for chunk in self.rows.chunks(1 << 20) {
            let mut group = writer.next_row_group()?;
            let mut column = 0;
            while let Some(mut c) = group.next_column()? {
                match column {
                    0 | 4 => {
                        let values: Vec<i32> = chunk
                            .iter()
                            .map(|r| {
                                if column == 0 {
                                    r.unit as i32
                                } else {
                                    r.state as i32
                                }
                            })
                            .collect();
                        c.typed::<Int32Type>().write_batch(&values, None, None)?;
                    }
                    3 => {
                        let values: Vec<ByteArray> = chunk
                            .iter()
                            .map(|r| ByteArray::from(self.states[r.state].as_str()))
                            .collect();
                        c.typed::<ByteArrayType>()
                            .write_batch(&values, None, None)?;
                    }
                    _ => {
                        let values: Vec<f64> = chunk
                            .iter()
                            .map(|r| match column {
                                1 => r.age,
                                2 => r.value,
                                _ => r.rul,
                            })
                            .collect();
                        c.typed::<DoubleType>().write_batch(&values, None, None)?;
                    }
                }
                c.close()?;
                column += 1;
            }
            group.close()?;
        }
        writer.close()?;
        Ok(())
    }
}
