//! The import graph of `cos-emulator/src/` has no cycle (issue 10: the layers run one way).
//! Every `crate::…` path in a module (its `use crate::` lines and any inline `crate::x::f`)
//! is an edge to the deepest module that path names; `mod` declarations are not imports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`ops::copy`) of a source file relative to `src/`.
fn module_of(rel: &Path) -> String {
    let s = rel.with_extension("").to_string_lossy().replace('/', "::");
    let s = s.strip_suffix("::mod").unwrap_or(&s).to_string();
    if s == "lib" || s == "main" {
        String::new()
    } else {
        s
    }
}

fn collect(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, root, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(root).unwrap();
            if rel == Path::new("main.rs") {
                continue; // the binary uses the library from outside
            }
            out.insert(module_of(rel), std::fs::read_to_string(&p).unwrap());
        }
    }
}

/// Every `crate::a::b…` path in `text`, with `use` groups (`crate::{x, y::{z, w}}`) expanded.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        expand(&[], after, &mut out);
        rest = after;
    }
    out
}

/// Parses one path (or group) at the start of `s` under `prefix`.
fn expand(prefix: &[String], s: &str, out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    let mut rest = s;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            for item in split_group(group) {
                expand(&path, item.trim(), out);
            }
            return;
        }
        let seg: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if seg.is_empty() {
            break;
        }
        rest = &rest[seg.len()..];
        path.push(seg);
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    if !path.is_empty() {
        out.push(path);
    }
}

/// The top-level items of a `{…}` group body (up to its closing brace).
fn split_group(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0usize, 0usize, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
}

/// The deepest known module a path names.
fn target(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn graph(sources: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = sources.keys().filter(|k| !k.is_empty()).cloned().collect();
    let mut g = BTreeMap::new();
    for (m, text) in sources {
        let deps: BTreeSet<String> = crate_paths(text)
            .iter()
            .filter_map(|p| target(p, &modules))
            .filter(|t| t != m)
            .collect();
        g.insert(m.clone(), deps);
    }
    g
}

/// A cycle, if any (as the list of modules around it).
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn dfs(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|s| s == d).unwrap_or(0);
                    let mut c = stack[i..].to_vec();
                    c.push(d.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = dfs(d, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            if let Some(c) = dfs(n, g, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn emulator_modules_import_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    collect(&root, &root, &mut sources);
    let g = graph(&sources);
    assert!(g.len() > 10, "too few modules found: {:?}", g.keys());
    assert!(
        g["router"].contains("ops::copy"),
        "graph misses edges: {g:?}"
    );
    if let Some(c) = find_cycle(&g) {
        panic!(
            "import cycle among cos-emulator/src modules: {}",
            c.join(" -> ")
        );
    }
}

#[test]
fn the_checker_sees_cycles() {
    let mut s = BTreeMap::new();
    s.insert("a".to_string(), "use crate::b::f;".to_string());
    s.insert("b".to_string(), "use crate::{x, y::{z, c::g}};".to_string());
    s.insert("y::z".to_string(), String::new());
    s.insert("c".to_string(), "fn h() { crate::a::k() }".to_string());
    s.insert("y::c".to_string(), "fn h() { crate::a::k() }".to_string());
    s.insert("x".to_string(), "// use crate::a;".to_string());
    let c = find_cycle(&graph(&s)).expect("a cycle");
    assert_eq!(c, ["a", "b", "y::c", "a"]);
    s.insert("y::c".to_string(), String::new());
    assert!(find_cycle(&graph(&s)).is_none());
}
