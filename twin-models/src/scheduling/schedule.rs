//! Schedules: the sequence of operations on each machine, and their CSV and JSON forms.

use serde::{Deserialize, Serialize};

use super::instance::Instance;

/// One operation of an instance, named by its job and its index within the job (both 0-based),
/// so that a schedule is readable without the instance's global operation ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OperationRef {
    /// The job, 0-based.
    pub job: usize,
    /// The operation within the job, 0-based.
    pub operation: usize,
}

/// A schedule as a sequence of operations per machine.
///
/// The machine an operation appears under is the machine it runs on, so the same type
/// holds the machine assignment of a flexible job shop. Start times are not part of it: the
/// [`Evaluator`](super::Evaluator) derives the semi-active schedule (every operation as early
/// as its job and its machine allow), and [`ScheduleTimes`] carries given start times when
/// a file has them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// `machines[k]` is the order in which machine `k` runs its operations.
    pub machines: Vec<Vec<OperationRef>>,
}

/// Start times given with a schedule: `start[k][i]` is the start of the `i`-th operation on
/// machine `k`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleTimes {
    /// Parallel to [`Schedule::machines`].
    pub start: Vec<Vec<u64>>,
}

/// A schedule read from CSV or JSON, with the start times if the text had them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleFile {
    /// The sequences per machine.
    pub schedule: Schedule,
    /// The start times, if every row had one.
    pub times: Option<ScheduleTimes>,
}

/// The first problem in a schedule text: the line (1-based; 0 when the reader cannot tell)
/// and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleFormatError {
    /// The line, 1-based (0 if unknown).
    pub line: usize,
    /// What is wrong, naming the column and the value.
    pub message: String,
}

impl std::fmt::Display for ScheduleFormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => f.write_str(&self.message),
            line => write!(f, "line {line}: {}", self.message),
        }
    }
}

impl std::error::Error for ScheduleFormatError {}

/// The CSV header [`Schedule::to_csv`] writes; [`Schedule::from_csv`] needs the first four
/// columns (in any order) and reads `start` if present.
pub const CSV_HEADER: &str = "machine,position,job,operation,start,end";

/// The `format` tag of the JSON form.
pub const JSON_FORMAT: &str = "linetwin.schedule/1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSchedule {
    format: String,
    machines: Vec<Vec<JsonOperation>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonOperation {
    job: usize,
    operation: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<u64>,
}

impl Schedule {
    /// An empty schedule of `machines` machines.
    pub fn with_machines(machines: usize) -> Self {
        Self {
            machines: vec![Vec::new(); machines],
        }
    }

    /// The same job order on every one of `machines` machines (a permutation flow shop
    /// schedule).
    pub fn permutation(instance: &Instance, jobs: &[usize]) -> Self {
        let mut schedule = Self::with_machines(instance.machines());
        for &job in jobs {
            for op in instance.job_operations(job) {
                if let Some(alternative) = instance.alternatives(op).first() {
                    schedule.machines[alternative.machine].push(OperationRef {
                        job,
                        operation: op - instance.job_operations(job).start,
                    });
                }
            }
        }
        schedule
    }

    /// The number of operations over all machines.
    pub fn len(&self) -> usize {
        self.machines.iter().map(Vec::len).sum()
    }

    /// Whether no machine has an operation.
    pub fn is_empty(&self) -> bool {
        self.machines.iter().all(Vec::is_empty)
    }

    /// The schedule as CSV ([`CSV_HEADER`]), one row per operation in machine order; `times`
    /// (start, end per machine position, e.g. from the evaluator) fill the last two columns,
    /// which stay empty without them.
    pub fn to_csv(&self, times: Option<&[Vec<(u64, u64)>]>) -> String {
        let mut out = String::with_capacity(32 * self.len() + CSV_HEADER.len() + 1);
        out.push_str(CSV_HEADER);
        out.push('\n');
        for (machine, sequence) in self.machines.iter().enumerate() {
            for (position, op) in sequence.iter().enumerate() {
                let time = times.and_then(|t| t.get(machine)?.get(position));
                let (start, end) = match time {
                    Some((s, e)) => (s.to_string(), e.to_string()),
                    None => (String::new(), String::new()),
                };
                out.push_str(&format!(
                    "{machine},{position},{},{},{start},{end}\n",
                    op.job, op.operation
                ));
            }
        }
        out
    }

    /// Reads the CSV form: columns `machine`, `position`, `job`, `operation` (0-based
    /// integers, any column order, extra columns ignored) and optionally `start`. Positions
    /// of a machine must be `0, 1, …` in any row order.
    ///
    /// # Errors
    ///
    /// [`ScheduleFormatError`] naming the line and the column: a missing column, a
    /// non-integer, a repeated or missing position.
    pub fn from_csv(text: &str) -> Result<ScheduleFile, ScheduleFormatError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| ScheduleFormatError {
                line: 1,
                message: format!("cannot read the header: {e}"),
            })?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let required = ["machine", "position", "job", "operation"].map(|name| {
            column(name).ok_or_else(|| ScheduleFormatError {
                line: 1,
                message: format!("the header has no column `{name}` (expected {CSV_HEADER})"),
            })
        });
        let [machine_col, position_col, job_col, op_col] = {
            let mut cols = [0; 4];
            for (slot, found) in cols.iter_mut().zip(required) {
                *slot = found?;
            }
            cols
        };
        let start_col = column("start");
        // (machine, position, op, start, line)
        let mut rows: Vec<(usize, usize, OperationRef, Option<u64>, usize)> = Vec::new();
        let mut all_started = true;
        for record in reader.records() {
            let record = record.map_err(|e| ScheduleFormatError {
                line: e.position().map_or(0, |p| p.line() as usize),
                message: format!("{e}"),
            })?;
            let line = record.position().map_or(0, |p| p.line() as usize);
            let field = |col: usize, name: &str| -> Result<usize, ScheduleFormatError> {
                let value = record.get(col).unwrap_or("");
                value.parse().map_err(|_| ScheduleFormatError {
                    line,
                    message: format!(
                        "column `{name}`: expected a non-negative integer, got `{value}`"
                    ),
                })
            };
            let machine = field(machine_col, "machine")?;
            let position = field(position_col, "position")?;
            let op = OperationRef {
                job: field(job_col, "job")?,
                operation: field(op_col, "operation")?,
            };
            let start = match start_col
                .and_then(|c| record.get(c))
                .filter(|v| !v.is_empty())
            {
                None => {
                    all_started = false;
                    None
                }
                Some(value) => Some(value.parse().map_err(|_| ScheduleFormatError {
                    line,
                    message: format!(
                        "column `start`: expected a non-negative integer, got `{value}`"
                    ),
                })?),
            };
            if machine > 1_000_000 || position > 100_000_000 {
                return Err(ScheduleFormatError {
                    line,
                    message: format!("machine {machine} or position {position} is too large"),
                });
            }
            rows.push((machine, position, op, start, line));
        }
        let machines = rows.iter().map(|r| r.0 + 1).max().unwrap_or(0);
        // slots[machine][position]: the row's operation and start.
        type Slot = Option<(OperationRef, Option<u64>)>;
        let mut slots: Vec<Vec<Slot>> = vec![Vec::new(); machines];
        for &(machine, position, op, start, line) in &rows {
            let slot = &mut slots[machine];
            if slot.len() <= position {
                slot.resize(position + 1, None);
            }
            if slot[position].is_some() {
                return Err(ScheduleFormatError {
                    line,
                    message: format!("machine {machine} has position {position} twice"),
                });
            }
            slot[position] = Some((op, start));
        }
        let mut file = ScheduleFile {
            schedule: Schedule::with_machines(machines),
            times: all_started.then(|| ScheduleTimes {
                start: vec![Vec::new(); machines],
            }),
        };
        for (machine, slot) in slots.into_iter().enumerate() {
            for (position, entry) in slot.into_iter().enumerate() {
                let (op, start) = entry.ok_or_else(|| ScheduleFormatError {
                    line: 0,
                    message: format!("machine {machine} has no row for position {position}"),
                })?;
                file.schedule.machines[machine].push(op);
                if let (Some(times), Some(start)) = (file.times.as_mut(), start) {
                    times.start[machine].push(start);
                }
            }
        }
        Ok(file)
    }

    /// The JSON form: `{"format": "linetwin.schedule/1", "machines": [[{"job", "operation",
    /// "start"?, "end"?}, …], …]}`, with times as in [`Schedule::to_csv`].
    pub fn to_json(&self, times: Option<&[Vec<(u64, u64)>]>) -> String {
        let json = JsonSchedule {
            format: JSON_FORMAT.to_owned(),
            machines: self
                .machines
                .iter()
                .enumerate()
                .map(|(machine, sequence)| {
                    sequence
                        .iter()
                        .enumerate()
                        .map(|(position, op)| {
                            let time = times.and_then(|t| t.get(machine)?.get(position));
                            JsonOperation {
                                job: op.job,
                                operation: op.operation,
                                start: time.map(|t| t.0),
                                end: time.map(|t| t.1),
                            }
                        })
                        .collect()
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads the JSON form written by [`Schedule::to_json`].
    ///
    /// # Errors
    ///
    /// [`ScheduleFormatError`] with serde's line and message, or a wrong `format` tag.
    pub fn from_json(text: &str) -> Result<ScheduleFile, ScheduleFormatError> {
        let json: JsonSchedule = serde_json::from_str(text).map_err(|e| ScheduleFormatError {
            line: e.line(),
            message: e.to_string(),
        })?;
        if json.format != JSON_FORMAT {
            return Err(ScheduleFormatError {
                line: 0,
                message: format!("`format` must be `{JSON_FORMAT}`, got `{}`", json.format),
            });
        }
        let all_started = json.machines.iter().flatten().all(|o| o.start.is_some());
        Ok(ScheduleFile {
            schedule: Schedule {
                machines: json
                    .machines
                    .iter()
                    .map(|seq| {
                        seq.iter()
                            .map(|o| OperationRef {
                                job: o.job,
                                operation: o.operation,
                            })
                            .collect()
                    })
                    .collect(),
            },
            times: all_started.then(|| ScheduleTimes {
                start: json
                    .machines
                    .iter()
                    .map(|seq| seq.iter().map(|o| o.start.unwrap_or(0)).collect())
                    .collect(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(job: usize, operation: usize) -> OperationRef {
        OperationRef { job, operation }
    }

    #[test]
    fn csv_round_trips_with_and_without_times() {
        let schedule = Schedule {
            machines: vec![vec![op(0, 0), op(1, 1)], vec![op(1, 0), op(0, 1)]],
        };
        let times = vec![vec![(0, 3), (4, 5)], vec![(0, 4), (4, 6)]];
        let file = Schedule::from_csv(&schedule.to_csv(Some(&times))).expect("reads");
        assert_eq!(file.schedule, schedule);
        assert_eq!(
            file.times.expect("has times").start,
            vec![vec![0, 4], vec![0, 4]]
        );
        let file = Schedule::from_csv(&schedule.to_csv(None)).expect("reads");
        assert_eq!(file.schedule, schedule);
        assert_eq!(file.times, None);
    }

    #[test]
    fn json_round_trips() {
        let schedule = Schedule {
            machines: vec![vec![op(0, 0)], vec![], vec![op(0, 1)]],
        };
        let file = Schedule::from_json(&schedule.to_json(None)).expect("reads");
        assert_eq!(file.schedule, schedule);
    }

    #[test]
    fn csv_rows_may_come_in_any_order() {
        let text = "job,operation,machine,position\n1,0,0,1\n0,0,0,0\n";
        let file = Schedule::from_csv(text).expect("reads");
        assert_eq!(file.schedule.machines, vec![vec![op(0, 0), op(1, 0)]]);
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let err =
            Schedule::from_csv("machine,position,job,operation\n0,0,0,0\n0,1,x,0\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: column `job`: expected a non-negative integer, got `x`"
        );
        let err = Schedule::from_csv("machine,position,job\n").unwrap_err();
        assert!(err.to_string().contains("no column `operation`"), "{err}");
        let err = Schedule::from_csv("machine,position,job,operation\n0,1,0,0\n").unwrap_err();
        assert_eq!(err.to_string(), "machine 0 has no row for position 0");
    }
}
