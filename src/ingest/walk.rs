//! Directory walking: a directory in, each file under it read into the
//! ingest state (or skipped with its reason), and a count of the files the
//! ignore rules left out.
//!
//! The walk follows symbolic links (the `ignore` crate detects loops) and
//! goes in sorted order. It leaves out hidden files, files named in a
//! `.copydeskignore` file, and files named in `.gitignore` (and git's other
//! exclude files) only inside a git repository: a corpus copied out of a
//! repository, or lying below a home directory with a `.gitignore`, is read
//! whole. Other tools' `.ignore` files are not copydesk's to obey. What is
//! left out is counted by a second walk without the rules, so a user can
//! see that files were passed over.

use super::State;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Files that hold ignore rules.
const RULE_FILES: [&str; 3] = [".copydeskignore", ".ignore", ".gitignore"];

/// Reads every file under `dir` into `state`.
pub(super) fn walk(dir: &Path, state: &mut State) {
    let mut visited: HashSet<PathBuf> = HashSet::new();
    let walker = ignore::WalkBuilder::new(dir)
        .add_custom_ignore_filename(".copydeskignore")
        .ignore(false)
        .follow_links(true)
        .require_git(true)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_dir()) => {}
            Ok(e) => {
                visited.insert(e.path().to_path_buf());
                entry_file(e.path(), state);
            }
            Err(err) => {
                let path = error_path(&err).unwrap_or(dir).to_path_buf();
                visited.insert(path.clone());
                state.skip(&path, None, describe(&err, &path));
            }
        }
    }
    state.out.ignored += count_left_out(dir, &visited);
}

/// Reads one walked entry that is not a directory.
fn entry_file(path: &Path, state: &mut State) {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {}
        Ok(meta) => state.file(path, &meta),
        Err(e) => {
            let reason = if is_link(path) {
                "dangling symbolic link (its target does not exist)".to_string()
            } else {
                format!("unreadable: {e}")
            };
            state.skip(path, None, reason);
        }
    }
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The path an error of the walk is about, if it names one.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// Why the walk could not read `path`, in words.
fn describe(err: &ignore::Error, path: &Path) -> String {
    match err {
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop (leads back to {}); not followed", super::display_path(ancestor))
        }
        ignore::Error::WithDepth { err, .. } => describe(err, path),
        _ if is_link(path) && std::fs::metadata(path).is_err() => {
            "dangling symbolic link (its target does not exist)".to_string()
        }
        other => format!("unreadable: {other}"),
    }
}

/// Files under `dir` that the walk with the rules did not visit: hidden
/// files and files named by ignore files. Git's own database (`.git`) and
/// the ignore files themselves are not corpus files and are not counted.
fn count_left_out(dir: &Path, visited: &HashSet<PathBuf>) -> usize {
    ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(true)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_some_and(|t| t.is_dir()) && !visited.contains(e.path()))
        .filter(|e| !RULE_FILES.iter().any(|name| e.file_name() == *name))
        .count()
}
