//! Embeds every `rules/*.toml` rule pack (the packs stay data at the repository root,
//! `../../rules` from this crate) in the library: writes a table of
//! `(file name, include_str!(...))` pairs that `src/rules/builtin.rs` includes, and a second
//! table of the same packs without their `examples`/`counter_examples` arrays: about two thirds
//! of the text, which a scan never needs and would otherwise parse at every start-up.
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("../../rules");
    let rules_dir = rules_dir.canonicalize().unwrap_or(rules_dir);
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .expect("rules/ directory exists")
        .map(|entry| entry.expect("readable rules/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lean_dir = out_dir.join("lean-rules");
    fs::create_dir_all(&lean_dir).expect("create OUT_DIR/lean-rules");
    let mut table = String::from("&[\n");
    let mut lean_table = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        table.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
        let text = fs::read_to_string(path).expect("readable rule pack");
        let lean_path = lean_dir.join(&*name);
        fs::write(&lean_path, without_examples(&text)).expect("write lean rule pack");
        lean_table
            .push_str(&format!("    ({name:?}, include_str!({:?})),\n", lean_path.display().to_string()));
    }
    table.push_str("]\n");
    lean_table.push_str("]\n");
    fs::write(out_dir.join("builtin_rules.rs"), table).expect("write builtin_rules.rs");
    fs::write(out_dir.join("builtin_rules_lean.rs"), lean_table).expect("write builtin_rules_lean.rs");
}

/// The pack without its `examples = [...]` and `counter_examples = [...]` arrays. Packs write
/// them as a line opening the array and, unless it closes on the same line, a line holding only
/// `]`; a pack written otherwise keeps its arrays (the lean text is then just longer). The
/// test suite loads every lean pack, so a strip that broke the TOML fails there.
fn without_examples(text: &str) -> String {
    let mut lean = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end();
        if skipping {
            skipping = bare != "]";
            continue;
        }
        if bare.starts_with("examples = [") || bare.starts_with("counter_examples = [") {
            skipping = !(bare.ends_with(']') && bare.matches('[').count() == bare.matches(']').count());
            continue;
        }
        lean.push_str(line);
    }
    lean
}
