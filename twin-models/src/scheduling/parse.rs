//! Readers of the standard instance formats, from text (no file I/O), by tokens.
//!
//! Every reader reports the first problem as one [`ParseError`] that names the line (1-based)
//! and the offending token; none panics on any input.

use super::instance::{Alternative, Instance, InstanceError, ShopKind};

/// The first problem in an instance text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A token that is not what the format expects here.
    #[error("line {line}: expected {expected}, got `{token}`")]
    Unexpected {
        /// The line of the token, 1-based.
        line: usize,
        /// The offending token.
        token: String,
        /// What the format expects at this point.
        expected: String,
    },
    /// The text ends before the instance does.
    #[error("line {line}: the text ends where {expected} was expected")]
    UnexpectedEnd {
        /// The last line of the text, 1-based.
        line: usize,
        /// What the format expects at this point.
        expected: String,
    },
    /// A number that is well-formed but not allowed here.
    #[error("line {line}: `{token}`: {message}")]
    Invalid {
        /// The line of the token, 1-based.
        line: usize,
        /// The offending token.
        token: String,
        /// Why it is not allowed.
        message: String,
    },
    /// The numbers parse but do not describe a shop.
    #[error("{0}")]
    Instance(#[from] InstanceError),
}

/// One token and the line it is on.
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    line: usize,
    text: &'a str,
}

/// The tokens of a text: whitespace-separated, with `#` starting a comment to the end of
/// the line.
struct Tokens<'a> {
    tokens: Vec<Token<'a>>,
    next: usize,
    last_line: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        let mut tokens = Vec::new();
        let mut last_line = 1;
        for (index, line) in text.lines().enumerate() {
            last_line = index + 1;
            let content = line.split('#').next().unwrap_or("");
            tokens.extend(content.split_whitespace().map(|text| Token {
                line: index + 1,
                text,
            }));
        }
        Self {
            tokens,
            next: 0,
            last_line,
        }
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.next).copied()
    }

    fn end(&self, expected: &str) -> ParseError {
        ParseError::UnexpectedEnd {
            line: self.last_line,
            expected: expected.to_owned(),
        }
    }

    fn token(&mut self, expected: &str) -> Result<Token<'a>, ParseError> {
        let token = self.peek().ok_or_else(|| self.end(expected))?;
        self.next += 1;
        Ok(token)
    }

    /// The next token as a non-negative integer.
    fn integer(&mut self, expected: &str) -> Result<(u64, Token<'a>), ParseError> {
        let token = self.token(expected)?;
        match token.text.parse::<u64>() {
            Ok(value) => Ok((value, token)),
            Err(_) => Err(ParseError::Unexpected {
                line: token.line,
                token: token.text.to_owned(),
                expected: expected.to_owned(),
            }),
        }
    }

    /// The next token as an integer that is at least `min` and fits a `usize`.
    fn count(&mut self, expected: &str, min: u64) -> Result<(usize, Token<'a>), ParseError> {
        let (value, token) = self.integer(expected)?;
        if value < min {
            return Err(invalid(token, format!("{expected} must be at least {min}")));
        }
        // Counts above a billion are typos, and would only make us allocate for nothing.
        match usize::try_from(value) {
            Ok(v) if value <= 1_000_000_000 => Ok((v, token)),
            _ => Err(invalid(token, format!("{expected} is too large"))),
        }
    }

    /// A capacity for `n` entries read from the rest of the text: never more
    /// than the tokens left, so that a header declaring huge counts allocates
    /// nothing before the text runs out (and says so).
    fn capacity(&self, n: usize) -> usize {
        n.min(self.tokens.len() - self.next)
    }

    /// Skips whole lines whose first token is not an integer (headers, labels).
    fn skip_label_lines(&mut self) {
        while let Some(token) = self.peek() {
            if token.text.parse::<u64>().is_ok() {
                return;
            }
            while self.peek().is_some_and(|t| t.line == token.line) {
                self.next += 1;
            }
        }
    }

    /// Consumes the line of labels starting with `word` (case-insensitive).
    fn expect_label(&mut self, word: &str) -> Result<(), ParseError> {
        let token = self.token(&format!("the label `{word}`"))?;
        if !token.text.eq_ignore_ascii_case(word) {
            return Err(ParseError::Unexpected {
                line: token.line,
                token: token.text.to_owned(),
                expected: format!("the label `{word}`"),
            });
        }
        while self.peek().is_some_and(|t| t.line == token.line) {
            self.next += 1;
        }
        Ok(())
    }

    fn expect_end(&self, what: &str) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(token) => Err(ParseError::Unexpected {
                line: token.line,
                token: token.text.to_owned(),
                expected: format!("the end of the text after {what}"),
            }),
        }
    }
}

fn invalid(token: Token<'_>, message: String) -> ParseError {
    ParseError::Invalid {
        line: token.line,
        token: token.text.to_owned(),
        message,
    }
}

/// A 0-based machine number read from `token`, checked against `machines`.
fn machine(
    token: Token<'_>,
    value: u64,
    machines: usize,
    one_based: bool,
) -> Result<usize, ParseError> {
    let base = if one_based { "1-based" } else { "0-based" };
    let index = if one_based {
        value
            .checked_sub(1)
            .ok_or_else(|| invalid(token, format!("machines are {base}, 0 is not a machine")))?
    } else {
        value
    };
    match usize::try_from(index) {
        Ok(i) if i < machines => Ok(i),
        _ => Err(invalid(
            token,
            format!("the instance has {machines} machines ({base}), no machine {value}"),
        )),
    }
}

/// Reads a job shop in the text (OR-Library) format.
///
/// The format: a line `n m`, then one line per job with `m` pairs `machine time` in operation
/// order, machines 0-based. Tokens are read regardless of line breaks; `#` starts a comment;
/// lines before `n m` whose first token is not a number (OR-Library headers such as
/// `instance ft06` or a description) are skipped. After the last job only comments may
/// follow.
///
/// # Errors
///
/// [`ParseError`] naming the line and the token: a non-integer, a machine out of range, a
/// missing or extra token.
///
/// # Examples
///
/// ```
/// let shop = twin_models::scheduling::parse_job_shop("# a comment\n2 2\n0 3 1 2\n1 4 0 1\n")?;
/// assert_eq!((shop.jobs(), shop.machines(), shop.operations()), (2, 2, 4));
/// # Ok::<(), twin_models::scheduling::ParseError>(())
/// ```
pub fn parse_job_shop(text: &str) -> Result<Instance, ParseError> {
    let mut tokens = Tokens::new(text);
    tokens.skip_label_lines();
    let instance = read_job_shop(&mut tokens)?;
    tokens.expect_end("the last job")?;
    Ok(instance)
}

/// One job shop in the text format from the current token on: `n m` and the jobs.
fn read_job_shop(tokens: &mut Tokens<'_>) -> Result<Instance, ParseError> {
    let (jobs, _) = tokens.count("the number of jobs", 1)?;
    let (machines, _) = tokens.count("the number of machines", 1)?;
    let mut all = Vec::with_capacity(tokens.capacity(jobs));
    for job in 0..jobs {
        let mut ops = Vec::with_capacity(tokens.capacity(machines));
        for op in 0..machines {
            let what = format!("the machine of job {job} operation {op}");
            let (value, token) = tokens.integer(&what)?;
            let machine = machine(token, value, machines, false)?;
            let (time, _) = tokens.integer(&format!("the time of job {job} operation {op}"))?;
            ops.push((machine, time));
        }
        all.push(ops);
    }
    Ok(Instance::job_shop("", machines, &all)?)
}

/// Reads a multi-instance OR-Library job-shop file (such as `jobshop1.txt`): instances in the
/// text format one after another, each preceded by header lines; a header line `instance
/// NAME` names the instance that follows (instances without one are named `1`, `2`, … by
/// position). Lines whose first token is not a number are headers.
///
/// # Errors
///
/// [`ParseError`] naming the line and the token; a text without any instance is an error.
///
/// # Examples
///
/// ```
/// let text = " instance a\n +++\n1 1\n0 5\n instance b\n described here\n1 1\n0 7\n";
/// let all = twin_models::scheduling::parse_or_library(text)?;
/// assert_eq!(all.len(), 2);
/// assert_eq!((all[1].name(), all[1].time_on(0, 0)), ("b", Some(7)));
/// # Ok::<(), twin_models::scheduling::ParseError>(())
/// ```
pub fn parse_or_library(text: &str) -> Result<Vec<Instance>, ParseError> {
    let mut tokens = Tokens::new(text);
    let mut out = Vec::new();
    loop {
        // Headers up to the next instance; the last `instance NAME` line names it.
        let mut name = None;
        while let Some(token) = tokens.peek() {
            if token.text.parse::<u64>().is_ok() {
                break;
            }
            let line = token.line;
            let words: Vec<&str> = tokens.tokens[tokens.next..]
                .iter()
                .take_while(|t| t.line == line)
                .map(|t| t.text)
                .collect();
            if let ["instance", label] = words.as_slice() {
                name = Some((*label).to_owned());
            }
            tokens.next += words.len();
        }
        if tokens.peek().is_none() {
            if out.is_empty() {
                return Err(tokens.end("the size line `n m` of an instance"));
            }
            return Ok(out);
        }
        let instance = read_job_shop(&mut tokens)?;
        let name = name.unwrap_or_else(|| (out.len() + 1).to_string());
        out.push(instance.with_name(name));
    }
}

/// Reads a permutation flow shop given in the job-shop text format (as the bundled `tfs`
/// files are): every job must visit the machines in the order of job 0.
///
/// # Errors
///
/// As [`parse_job_shop`]; [`InstanceError::NotAFlowShop`] if the routes differ.
pub fn parse_flow_shop(text: &str) -> Result<Instance, ParseError> {
    Ok(parse_job_shop(text)?.into_flow_shop()?)
}

/// One instance of one of Taillard's original files, with the numbers of its header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaillardInstance {
    /// The instance (unnamed: the file does not name it).
    pub instance: Instance,
    /// The seed Taillard generated the processing times with.
    pub time_seed: u64,
    /// The seed of the machine orders (job shop only).
    pub machine_seed: Option<u64>,
    /// The upper bound printed in the header (1993; outdated).
    pub upper_bound: u64,
    /// The lower bound printed in the header (1993; outdated).
    pub lower_bound: u64,
}

/// Reads Taillard's original job-shop file: one or more instances, each a line of labels,
/// a line `n m time_seed machine_seed upper_bound lower_bound`, then `Times` and `n` rows of
/// `m` durations in operation order, then `Machines` and `n` rows of `m` machines, 1-based.
///
/// # Errors
///
/// [`ParseError`] naming the line and the token; an empty text has no instance and is an
/// error.
pub fn parse_taillard_job_shops(text: &str) -> Result<Vec<TaillardInstance>, ParseError> {
    let mut tokens = Tokens::new(text);
    let mut out = Vec::new();
    loop {
        tokens.skip_label_lines();
        if tokens.peek().is_none() && !out.is_empty() {
            return Ok(out);
        }
        let (jobs, _) = tokens.count("the number of jobs", 1)?;
        let (machines, _) = tokens.count("the number of machines", 1)?;
        let (time_seed, _) = tokens.integer("the time seed")?;
        let (machine_seed, _) = tokens.integer("the machine seed")?;
        let (upper_bound, _) = tokens.integer("the upper bound")?;
        let (lower_bound, _) = tokens.integer("the lower bound")?;
        tokens.expect_label("Times")?;
        // Rows grow as they are read: memory follows the text, not the header.
        let mut times = Vec::with_capacity(tokens.capacity(jobs));
        for job in 0..jobs {
            let mut row = Vec::with_capacity(tokens.capacity(machines));
            for op in 0..machines {
                let what = format!("the time of job {job} operation {op}");
                row.push(tokens.integer(&what)?.0);
            }
            times.push(row);
        }
        tokens.expect_label("Machines")?;
        let mut all = Vec::with_capacity(jobs);
        for (job, row) in times.iter().enumerate() {
            let mut ops = Vec::with_capacity(machines);
            for (op, &time) in row.iter().enumerate() {
                let (value, token) =
                    tokens.integer(&format!("the machine of job {job} operation {op}"))?;
                ops.push((machine(token, value, machines, true)?, time));
            }
            all.push(ops);
        }
        out.push(TaillardInstance {
            instance: Instance::job_shop("", machines, &all)?,
            time_seed,
            machine_seed: Some(machine_seed),
            upper_bound,
            lower_bound,
        });
    }
}

/// Reads Taillard's original flow-shop file: one or more instances, each a line of labels,
/// a line `n m seed upper_bound lower_bound`, a label line (`processing times :`), then `m`
/// rows of `n` integers (machine-major: row `k` holds every job's time on machine `k`).
///
/// # Errors
///
/// [`ParseError`] naming the line and the token.
pub fn parse_taillard_flow_shops(text: &str) -> Result<Vec<TaillardInstance>, ParseError> {
    let mut tokens = Tokens::new(text);
    let mut out = Vec::new();
    loop {
        tokens.skip_label_lines();
        if tokens.peek().is_none() && !out.is_empty() {
            return Ok(out);
        }
        let (jobs, _) = tokens.count("the number of jobs", 1)?;
        let (machines, _) = tokens.count("the number of machines", 1)?;
        let (time_seed, _) = tokens.integer("the seed")?;
        let (upper_bound, _) = tokens.integer("the upper bound")?;
        let (lower_bound, _) = tokens.integer("the lower bound")?;
        let label = tokens.peek();
        tokens.skip_label_lines();
        if label.is_some() && label.map(|t| t.line) == tokens.peek().map(|t| t.line) {
            // No label line was skipped: the format requires one.
            let token = label.unwrap_or(Token { line: 0, text: "" });
            return Err(ParseError::Unexpected {
                line: token.line,
                token: token.text.to_owned(),
                expected: "the label `processing times :`".to_owned(),
            });
        }
        // Machine-major rows, read before anything of the declared size is
        // allocated, then turned job-major.
        let mut by_machine = Vec::with_capacity(tokens.capacity(machines));
        for machine in 0..machines {
            let mut row = Vec::with_capacity(tokens.capacity(jobs));
            for job in 0..jobs {
                let what = format!("the time of job {job} on machine {machine}");
                row.push(tokens.integer(&what)?.0);
            }
            by_machine.push(row);
        }
        let times: Vec<Vec<_>> = (0..jobs)
            .map(|job| by_machine.iter().map(|row| row[job]).collect())
            .collect();
        out.push(TaillardInstance {
            instance: Instance::flow_shop("", &times)?,
            time_seed,
            machine_seed: None,
            upper_bound,
            lower_bound,
        });
    }
}

/// Reads a flexible job shop in the Brandimarte / Hurink format.
///
/// The format: a line `n m` optionally followed by the average number of machines per
/// operation (ignored); then per job the number of operations and, per operation, `k`
/// followed by `k` pairs `machine time`, machines **1-based**. Tokens are read regardless
/// of line breaks (except that the header is one line); `#` starts a comment.
///
/// # Errors
///
/// [`ParseError`] naming the line and the token.
///
/// # Examples
///
/// ```
/// // One job of two operations on two machines: the first runs on machine 1 (time 3) or
/// // machine 2 (time 5), the second only on machine 2 (time 4).
/// let shop = twin_models::scheduling::parse_flexible_job_shop("1 2 1.5\n2  2 1 3 2 5  1 2 4\n")?;
/// assert_eq!(shop.alternatives(0).len(), 2);
/// assert_eq!(shop.time_on(1, 1), Some(4)); // machine 2 is index 1
/// # Ok::<(), twin_models::scheduling::ParseError>(())
/// ```
pub fn parse_flexible_job_shop(text: &str) -> Result<Instance, ParseError> {
    let mut tokens = Tokens::new(text);
    tokens.skip_label_lines();
    let (jobs, first) = tokens.count("the number of jobs", 1)?;
    let (machines, machines_token) = tokens.count("the number of machines", 1)?;
    // Operations need not use every machine, so the text does not bound the
    // count by itself; but an instance is sized by it, and more machines than
    // the text has numbers cannot be meant.
    let left = tokens.capacity(usize::MAX);
    if machines > left {
        return Err(invalid(
            machines_token,
            format!("{machines} machines, but the text holds only {left} more numbers"),
        ));
    }
    // The optional average flexibility: a number on the header line.
    if let Some(token) = tokens.peek().filter(|t| t.line == first.line) {
        if token.text.parse::<f64>().is_err() {
            return Err(ParseError::Unexpected {
                line: token.line,
                token: token.text.to_owned(),
                expected: "the average number of machines per operation or the end of the line"
                    .to_owned(),
            });
        }
        tokens.next += 1;
        if let Some(extra) = tokens.peek().filter(|t| t.line == first.line) {
            return Err(ParseError::Unexpected {
                line: extra.line,
                token: extra.text.to_owned(),
                expected: "the end of the header line".to_owned(),
            });
        }
    }
    let mut all = Vec::with_capacity(tokens.capacity(jobs));
    for job in 0..jobs {
        let (operations, _) = tokens.count(&format!("the number of operations of job {job}"), 1)?;
        let mut ops = Vec::with_capacity(operations.min(1024));
        for op in 0..operations {
            let (k, _) = tokens.count(
                &format!("the number of machines of job {job} operation {op}"),
                1,
            )?;
            let mut alternatives = Vec::with_capacity(k.min(machines));
            for _ in 0..k {
                let (value, token) =
                    tokens.integer(&format!("a machine of job {job} operation {op}"))?;
                let machine = machine(token, value, machines, true)?;
                if alternatives
                    .iter()
                    .any(|a: &Alternative| a.machine == machine)
                {
                    return Err(invalid(
                        token,
                        format!("machine {value} is listed twice for job {job} operation {op}"),
                    ));
                }
                let (time, _) = tokens.integer(&format!(
                    "the time of job {job} operation {op} on machine {value}"
                ))?;
                alternatives.push(Alternative { machine, time });
            }
            ops.push(alternatives);
        }
        all.push(ops);
    }
    tokens.expect_end("the last job")?;
    Ok(Instance::new(
        "",
        ShopKind::FlexibleJobShop,
        machines,
        &all,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_headers_are_skipped() {
        let text =
            " instance tiny\n +++\n A description 2x2\n2 2 # size\n0 1 1 2\n# between\n1 3 0 4\n";
        let shop = parse_job_shop(text).expect("parses");
        assert_eq!(shop.time_on(0, 0), Some(1));
        assert_eq!(shop.time_on(3, 0), Some(4));
    }

    #[test]
    fn a_word_in_the_data_names_line_and_token() {
        let err = parse_job_shop("2 2\n0 1 1 2\n1 x 0 4\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: expected the time of job 1 operation 0, got `x`"
        );
    }

    #[test]
    fn a_machine_out_of_range_is_named() {
        let err = parse_job_shop("1 2\n0 1 2 5\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: `2`: the instance has 2 machines (0-based), no machine 2"
        );
    }

    #[test]
    fn a_short_text_says_what_is_missing() {
        let err = parse_job_shop("2 2\n0 1 1 2\n1 3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: the text ends where the machine of job 1 operation 1 was expected"
        );
    }

    #[test]
    fn extra_tokens_after_the_last_job_are_an_error() {
        let err = parse_job_shop("1 1\n0 5\n7\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: expected the end of the text after the last job, got `7`"
        );
    }

    #[test]
    fn or_library_files_hold_named_instances() {
        // The layout of OR-Library's jobshop1.txt: a rule of `+`, the name, a description.
        let text = " +++++++++\n \n instance one\n \n +++++++++\n A 1x2 instance\n 1 2\n 0 4 1 6\n \
                    +++++++++\n \n instance two\n \n +++++++++\n Another\n 1 1\n 0 9\n +++ EOF +++\n";
        let all = parse_or_library(text).expect("parses");
        let names: Vec<&str> = all.iter().map(Instance::name).collect();
        assert_eq!(names, ["one", "two"]);
        assert_eq!(all[0].time_on(1, 1), Some(6));
        // A typo in the second instance names its line and token.
        let err = parse_or_library(&text.replace("0 9", "0 nine")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 16: expected the time of job 0 operation 0, got `nine`"
        );
    }

    #[test]
    fn flexible_machines_are_one_based() {
        let err = parse_flexible_job_shop("1 2\n1 1 0 5\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: `0`: machines are 1-based, 0 is not a machine"
        );
    }

    #[test]
    fn taillard_job_shop_files_hold_several_instances() {
        let one = "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound\n\
                   2 2 11 22 10 9\nTimes\n3 2\n4 1\nMachines\n1 2\n2 1\n";
        let text = format!("{one}{one}");
        let all = parse_taillard_job_shops(&text).expect("parses");
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].instance.time_on(2, 1), Some(4));
        assert_eq!((all[0].upper_bound, all[0].lower_bound), (10, 9));
    }

    #[test]
    fn taillard_flow_shop_times_are_machine_major() {
        let text = "number of jobs, number of machines, initial seed, upper bound and lower bound :\n\
                    3 2 5 20 18\nprocessing times :\n1 2 3\n4 5 6\n";
        let all = parse_taillard_flow_shops(text).expect("parses");
        let shop = &all[0].instance;
        // Job 2 takes 3 on machine 0 and 6 on machine 1.
        assert_eq!(shop.time_on(shop.job_operations(2).start, 0), Some(3));
        assert_eq!(shop.time_on(shop.job_operations(2).start + 1, 1), Some(6));
    }
}
