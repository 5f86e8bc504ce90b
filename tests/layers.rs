//! The core's modules import one way (CONTRIBUTING.md "Layers"): every `crate::<module>`
//! reference in code points to a lower layer, and the submodules of a module directory
//! (`src/wasm/`, `src/keys/`, `src/hash/`) have no cycle among their `super::` imports.
//! A new module must be placed in [`LAYERS`] (and in CONTRIBUTING.md) to pass.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Top-level modules of `src/`, lowest layer first. A module may only use modules of a
/// strictly lower layer.
const LAYERS: &[&[&str]] = &[
    &["text"],
    &["error"],
    &["base64", "encode", "crypto", "json", "time", "xml"],
    &["hash", "algorithm", "credentials", "endpoint"],
    &["sign", "keys", "tc3"],
    &["sse", "bucket_encryption", "cam_policy", "cdn"],
    &["request", "post_form", "explain"],
    &["signer"],
    &["wasm"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| {
            panic!("module `{module}` is in no layer: add it to LAYERS in tests/layers.rs and to CONTRIBUTING.md")
        })
}

/// Code lines only: comments and doc comments (which may link anywhere) are skipped.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

/// The names following `prefix` (`crate::` or `super::`) in `text`'s code, including those
/// inside a braced `use prefix::{a, b::c}` group.
fn referenced(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code_lines(text) {
        let mut rest = line;
        while let Some(i) = rest.find(prefix) {
            rest = &rest[i + prefix.len()..];
            let ident = |s: &str| -> String {
                s.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            };
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let name = ident(item.trim());
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            } else {
                let name = ident(rest);
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        }
    }
    out
}

/// `(module, file text)` for each top-level module of `src/` (a directory module's files
/// are all attributed to it).
fn modules(src: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for f in fs::read_dir(&path).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "rs") {
                    out.push((name.clone(), fs::read_to_string(&f).unwrap()));
                }
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            out.push((name, fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// A cycle in `edges`, if any (depth-first search).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_owned());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_owned());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn core_modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, text) in modules(&src) {
        let from = layer_of(&module);
        for to in referenced(&text, "crate::") {
            // `crate::Foo` re-exports and `crate::err!`-style macros are not modules.
            if to.starts_with(char::is_uppercase) || to == "err" || to == module {
                continue;
            }
            if layer_of(&to) >= from {
                wrong.push(format!(
                    "{module} (layer {from}) uses {to} (layer {})",
                    layer_of(&to)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn module_directories_have_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for dir in fs::read_dir(&src).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let files: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        let names: BTreeSet<String> = files
            .iter()
            .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
            .filter(|n| n != "mod")
            .collect();
        for f in &files {
            let name = f.file_stem().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(f).unwrap();
            let prefix = if name == "mod" { "self::" } else { "super::" };
            let uses = referenced(&text, prefix)
                .into_iter()
                .filter(|n| names.contains(n) && *n != name)
                .collect();
            edges.insert(name, uses);
        }
        // mod.rs declares its children; only the children's edges can form a cycle.
        edges.remove("mod");
        if let Some(cycle) = find_cycle(&edges) {
            panic!("import cycle in {}: {}", dir.display(), cycle.join(" -> "));
        }
    }
}

#[test]
fn the_checker_sees_cycles_and_groups() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert("a".into(), ["b".to_owned()].into());
    edges.insert("b".into(), ["a".to_owned()].into());
    assert_eq!(find_cycle(&edges).unwrap().len(), 3);
    let refs = referenced(
        "use crate::{sse::Sse, keys};\n// crate::wasm\nlet x = crate::json::string(s);",
        "crate::",
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        ["json", "keys", "sse"]
    );
}
