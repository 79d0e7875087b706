//! The bundled instance library and its best-known bounds, looked up by name and by ranges.
//!
//! The instances are the files under `scenarios/library/scheduling/` (copied unmodified from
//! the ScheduleOpt benchmarks, CC BY-SA 4.0; README and LICENSE beside them), compiled into
//! the binary, so that the CLI and the Python wheel need no file path.
//!
//! Names are the file names without `.txt`, as `bks.json` spells them, with three changes
//! and two aliases:
//!
//! - Hurink's flexible sets add their data set: `la01_edata`, `ft06_rdata`, `orb1_vdata`;
//! - Dauzère-Pérès & Paulli's `01a.txt` … `18a.txt` are `dpp01a` … `dpp18a`;
//! - Taillard's job shops are `ta01js` … `ta80js`; the alias `ta01` … `ta80` (two digits)
//!   names them too;
//! - Taillard's flow shops are `tfs001` … `tfs120`; the alias `ta001` … `ta120` (three
//!   digits, as flow-shop papers write them) names them too.
//!
//! A list is comma-separated names and ranges `first-last` whose ends share their letters
//! (`la01-la40`, `ta01-ta10`, `tfs001-tfs010`, `la01_edata-la05_edata`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use twin_models::scheduling::{
    Instance, ParseError, ShopKind, parse_flexible_job_shop, parse_flow_shop, parse_job_shop,
};

/// One bundled instance file.
#[derive(Clone, Copy, Debug)]
pub struct BundledFile {
    /// The library name (see the module documentation).
    pub name: &'static str,
    /// The kind of shop, from the folder the file is in.
    pub kind: ShopKind,
    /// The collection folder, e.g. `Lawrence1984`, `Brandimarte1993`.
    pub collection: &'static str,
    /// The file's text.
    pub text: &'static str,
}

static FILES: &[BundledFile] = &include!(concat!(env!("OUT_DIR"), "/bundled_instances.rs"));

/// The bounds on an instance's optimal makespan that the bundled tables give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The best proven lower bound, if one is given.
    pub lower: Option<u64>,
    /// The best known makespan (upper bound), if one is given.
    pub upper: Option<u64>,
    /// Whether the upper bound is proven optimal (`status: closed` in bks.json).
    pub optimal: bool,
}

impl Bounds {
    /// The value gaps are measured against: the best known makespan.
    pub fn best_known(&self) -> Option<u64> {
        self.upper
    }
}

/// A name or range that is not in the library, or a list that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No bundled instance has this name.
    #[error("no bundled instance `{name}`{hint}")]
    Unknown {
        /// The name as given.
        name: String,
        /// A hint (names that start the same), or empty.
        hint: String,
    },
    /// A range whose ends do not share their letters or whose numbers run backwards.
    #[error("`{0}` is not a range: write FIRST-LAST with the same letters, e.g. la01-la40")]
    BadRange(String),
    /// An empty list.
    #[error("no instances given")]
    Empty,
}

impl BundledFile {
    /// Parses the file in the format of its kind.
    ///
    /// # Errors
    ///
    /// A [`ParseError`]; the bundled files all parse (a test checks it).
    pub fn instance(&self) -> Result<Instance, ParseError> {
        let instance = match self.kind {
            ShopKind::JobShop => parse_job_shop(self.text)?,
            ShopKind::FlowShop => parse_flow_shop(self.text)?,
            ShopKind::FlexibleJobShop => parse_flexible_job_shop(self.text)?,
        };
        Ok(instance.with_name(self.name))
    }

    /// The instance's best-known bounds, if the tables have them.
    pub fn bounds(&self) -> Option<Bounds> {
        bounds(self.name)
    }
}

/// Every bundled instance, sorted by name.
pub fn all() -> &'static [BundledFile] {
    FILES
}

/// The canonical library name of `name`: lower case, with the Taillard aliases resolved.
fn canonical(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let taillard = lower
        .strip_prefix("ta")
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    if let Some(digits) = taillard {
        return match digits.len() {
            1 | 2 => format!("ta{:0>2}js", digits),
            _ => format!("tfs{:0>3}", digits),
        };
    }
    lower
}

/// The bundled instance called `name` (aliases allowed, case-insensitive).
pub fn find(name: &str) -> Option<&'static BundledFile> {
    let name = canonical(name);
    FILES
        .binary_search_by(|f| f.name.cmp(name.as_str()))
        .ok()
        .map(|i| &FILES[i])
}

fn unknown(name: &str) -> LookupError {
    let prefix: String = name
        .trim()
        .to_ascii_lowercase()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let similar: Vec<&str> = FILES
        .iter()
        .map(|f| f.name)
        .filter(|n| !prefix.is_empty() && n.starts_with(&prefix))
        .collect();
    let hint = match similar.as_slice() {
        [] => String::new(),
        [first, .., last] => format!(" (names with `{prefix}`: {first} … {last})"),
        [only] => format!(" (did you mean {only}?)"),
    };
    LookupError::Unknown {
        name: name.trim().to_owned(),
        hint,
    }
}

/// Splits `la01_edata` into (`la`, `01`, `_edata`).
fn split_number(name: &str) -> Option<(&str, &str, &str)> {
    let start = name.find(|c: char| c.is_ascii_digit())?;
    let len = name[start..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(name.len() - start);
    Some((
        &name[..start],
        &name[start..start + len],
        &name[start + len..],
    ))
}

/// The instances of a comma-separated list of names and ranges, in the order given.
///
/// # Errors
///
/// [`LookupError`] for the first name not in the library or the first malformed range.
pub fn resolve(list: &str) -> Result<Vec<&'static BundledFile>, LookupError> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.split_once('-') {
            None => out.push(find(item).ok_or_else(|| unknown(item))?),
            Some((first, last)) => {
                let bad = || LookupError::BadRange(item.to_owned());
                let (a, b) = (
                    first.trim().to_ascii_lowercase(),
                    last.trim().to_ascii_lowercase(),
                );
                let (pa, na, sa) = split_number(&a).ok_or_else(bad)?;
                let (pb, nb, sb) = split_number(&b).ok_or_else(bad)?;
                if pa != pb || sa != sb {
                    return Err(bad());
                }
                let (from, to): (u64, u64) = (
                    na.parse().map_err(|_| bad())?,
                    nb.parse().map_err(|_| bad())?,
                );
                if from > to || to - from > 10_000 {
                    return Err(bad());
                }
                let width = na.len();
                for k in from..=to {
                    let name = format!("{pa}{k:0width$}{sa}");
                    out.push(find(&name).ok_or_else(|| unknown(&name))?);
                }
            }
        }
    }
    if out.is_empty() {
        return Err(LookupError::Empty);
    }
    Ok(out)
}

#[derive(Deserialize)]
struct BksRow {
    instance: String,
    status: String,
    lower_bound: Option<u64>,
    upper_bound: Option<u64>,
}

/// Best-known makespans of Taillard's permutation flow shop from the bundled README (not in
/// bks.json): tfs001–tfs020, then the first instance of each later class. Upper bounds only;
/// the README says nothing of lower bounds or optimality.
const FLOW_SHOP_BEST_KNOWN: [(&str, u64); 30] = [
    ("tfs001", 1278),
    ("tfs002", 1359),
    ("tfs003", 1081),
    ("tfs004", 1293),
    ("tfs005", 1235),
    ("tfs006", 1195),
    ("tfs007", 1234),
    ("tfs008", 1206),
    ("tfs009", 1230),
    ("tfs010", 1108),
    ("tfs011", 1582),
    ("tfs012", 1659),
    ("tfs013", 1496),
    ("tfs014", 1377),
    ("tfs015", 1419),
    ("tfs016", 1397),
    ("tfs017", 1484),
    ("tfs018", 1538),
    ("tfs019", 1593),
    ("tfs020", 1591),
    ("tfs021", 2297),
    ("tfs031", 2724),
    ("tfs041", 2991),
    ("tfs051", 3846),
    ("tfs061", 5493),
    ("tfs071", 5770),
    ("tfs081", 6134),
    ("tfs091", 10862),
    ("tfs101", 11158),
    ("tfs111", 26040),
];

fn table() -> &'static HashMap<String, Bounds> {
    static TABLE: OnceLock<HashMap<String, Bounds>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for text in [
            include_str!("../../library/scheduling/jobshop/solutions/bks.json"),
            include_str!("../../library/scheduling/flexible-jobshop/solutions/bks.json"),
        ] {
            // The bundled files are valid (a test checks it); a broken one gives no bounds.
            let rows: Vec<BksRow> = serde_json::from_str(text).unwrap_or_default();
            for row in rows {
                table.insert(
                    row.instance,
                    Bounds {
                        lower: row.lower_bound,
                        upper: row.upper_bound,
                        optimal: row.status == "closed",
                    },
                );
            }
        }
        for (name, upper) in FLOW_SHOP_BEST_KNOWN {
            table.insert(
                name.to_owned(),
                Bounds {
                    lower: None,
                    upper: Some(upper),
                    optimal: false,
                },
            );
        }
        table
    })
}

/// The bounds of the instance `name` (aliases allowed), also for instances in bks.json whose
/// files are not bundled (e.g. `tai_10_10_1`).
pub fn bounds(name: &str) -> Option<Bounds> {
    table().get(&canonical(name)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_ranges() {
        assert_eq!(find("TA01").map(|f| f.name), Some("ta01js"));
        assert_eq!(find("ta001").map(|f| f.name), Some("tfs001"));
        let names: Vec<&str> = resolve("ft06, la01-la03,ta09-ta10")
            .expect("resolves")
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, ["ft06", "la01", "la02", "la03", "ta09js", "ta10js"]);
        assert_eq!(
            resolve("la01-ft10").unwrap_err().to_string(),
            "`la01-ft10` is not a range: write FIRST-LAST with the same letters, e.g. la01-la40"
        );
        assert!(
            resolve("la41")
                .unwrap_err()
                .to_string()
                .contains("la01 … la40_vdata")
        );
    }
}
