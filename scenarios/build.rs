//! Generates the table of bundled scheduling instances (library/scheduling) so that the CLI
//! and the Python wheel look instances up by name without a file path: one
//! `(name, kind, collection, include_str!(path))` row per instance file, sorted by name.

use std::fs;
use std::path::{Path, PathBuf};

/// Where each kind of instance lives under library/scheduling, and its kind's variant name.
const FOLDERS: [(&str, &str); 3] = [
    ("jobshop/instances/text", "JobShop"),
    ("flexible-jobshop/instances/fjsp", "FlexibleJobShop"),
    ("permutation-flowshop/instances/Taillard1993", "FlowShop"),
];

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            text_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
}

/// The library name of an instance file: its stem, except that Hurink's sets add their
/// data set (`la01_edata`) and Dauzère-Pérès & Paulli's files (`01a.txt`) get their
/// family prefix (`dpp01a`), as bks.json names them.
fn name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    match parent {
        "edata" | "rdata" | "sdata" | "vdata" => format!("{stem}_{parent}"),
        "DauzerePeresPaulli1994" => format!("dpp{stem}"),
        _ => stem.to_owned(),
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("library/scheduling");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut rows = Vec::new();
    for (folder, kind) in FOLDERS {
        let base = root.join(folder);
        println!("cargo:rerun-if-changed={}", base.display());
        let mut files = Vec::new();
        text_files(&base, &mut files);
        for path in files {
            let collection = path
                .strip_prefix(&base)
                .ok()
                .and_then(|p| p.components().next())
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or_default()
                .to_owned();
            rows.push((name(&path), kind, collection, path));
        }
    }
    rows.sort();
    let mut out = String::from("[\n");
    for (name, kind, collection, path) in rows {
        out.push_str(&format!(
            "    BundledFile {{ name: {name:?}, kind: ShopKind::{kind}, collection: {collection:?}, text: include_str!({:?}) }},\n",
            path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("bundled_instances.rs");
    if let Err(e) = fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
