//! `copydesk.toml`: what counts as a finding. TOML text in, a validated
//! [`CheckConfig`] out, each value remembering where it came from (the
//! built-in default, a config file, or a command-line flag) for
//! `--show-config`.
//!
//! ```toml
//! include = ["articles/**"]          # only these files (globs, relative paths)
//! exclude = ["**/drafts/**"]         # never these
//!
//! [relations.near-duplicate]
//! min-score = 0.6                    # Jaccard of the two texts
//!
//! [relations.partial]
//! enabled = true
//! min-score = 0.3                    # share of the smaller file reused
//!
//! [repeats]
//! enabled = true                     # a file repeating its own passages
//!
//! [[allow]]
//! paths = ["wire/reuters-*.txt", "site/*.txt"]
//! reason = "we license Reuters copy"
//! ```
//!
//! Unknown keys, wrong types and scores outside [0, 1] are errors with the
//! line and column of the offending value.

use crate::linking::verify::Relation;
use globset::{GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The name `copydesk check` looks for in the working directory and its
/// ancestors.
pub const CONFIG_FILE: &str = "copydesk.toml";

/// Relations a check can count, in report order. Quotation (two texts
/// sharing only quoted speech) is a common upstream, never a finding.
pub const RELATIONS: [Relation; 5] =
    [Relation::Duplicate, Relation::NearDuplicate, Relation::Contained, Relation::Rewritten, Relation::Partial];

/// Where a configured value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => write!(f, "default"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    fn default(value: T) -> Self {
        Sourced { value, origin: Origin::Default }
    }
}

/// Whether one relation counts, and from what score.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationRule {
    pub enabled: Sourced<bool>,
    /// The least score that makes a finding: Jaccard for duplicates and
    /// near-duplicates, the share of the smaller file found in the other
    /// for containment and partial reuse, the share of the shorter file's
    /// sentences aligned for rewrites.
    pub min_score: Sourced<f64>,
}

/// A known pair or cluster of files, or one finding, that is not a finding.
#[derive(Debug, Clone)]
pub struct Allowed {
    /// Globs: a pair is allowed when each file matches one of them (a
    /// cluster: any two of its files). Empty when `fingerprint` is set.
    pub paths: Vec<String>,
    matcher: Option<GlobSet>,
    pub fingerprint: Option<String>,
    pub reason: String,
    pub origin: Origin,
}

impl Allowed {
    /// Whether this entry allows the finding with `fingerprint` between
    /// `a` and `b` (the same file for a repeat).
    pub fn allows(&self, fingerprint: &str, a: &str, b: &str) -> bool {
        match (&self.fingerprint, &self.matcher) {
            (Some(f), _) => f == fingerprint,
            (None, Some(m)) => m.is_match(a) && m.is_match(b),
            (None, None) => false,
        }
    }
}

/// The validated check configuration.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub relations: BTreeMap<Relation, RelationRule>,
    pub repeats: Sourced<bool>,
    pub include: Sourced<Vec<String>>,
    pub exclude: Sourced<Vec<String>>,
    include_set: Option<GlobSet>,
    exclude_set: GlobSet,
    pub allow: Vec<Allowed>,
    /// The folder paths are relative to, in globs, findings and baselines:
    /// the configuration file's, else the working directory.
    pub root: PathBuf,
}

/// A configuration that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Default for CheckConfig {
    fn default() -> Self {
        let rule = |enabled: bool, min: f64| RelationRule {
            enabled: Sourced::default(enabled),
            min_score: Sourced::default(min),
        };
        let relations = RELATIONS
            .iter()
            .map(|&r| (r, if r == Relation::Partial { rule(true, 0.3) } else { rule(true, 0.0) }))
            .collect();
        CheckConfig {
            relations,
            repeats: Sourced::default(false),
            include: Sourced::default(Vec::new()),
            exclude: Sourced::default(Vec::new()),
            include_set: None,
            exclude_set: GlobSet::empty(),
            allow: Vec::new(),
            root: PathBuf::from("."),
        }
    }
}

/// The file as written: every key optional, none unknown.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    #[serde(default)]
    relations: BTreeMap<String, toml::Spanned<FileRule>>,
    repeats: Option<FileRepeats>,
    #[serde(default)]
    allow: Vec<FileAllowed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileRule {
    enabled: Option<bool>,
    min_score: Option<toml::Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRepeats {
    enabled: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAllowed {
    paths: Option<Vec<String>>,
    fingerprint: Option<String>,
    reason: String,
}

impl CheckConfig {
    /// The configuration in `text`, read from `path`, over the defaults.
    pub fn parse(text: &str, path: &Path) -> Result<CheckConfig, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| located(text, path, e.span(), e.message()))?;
        let origin = Origin::File(path.to_path_buf());
        let mut config = CheckConfig::default();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            config.root = dir.to_path_buf();
        }
        for (name, rule) in &file.relations {
            let relation = RELATIONS.iter().copied().find(|r| r.as_str() == name).ok_or_else(|| {
                let known: Vec<&str> = RELATIONS.iter().map(|r| r.as_str()).collect();
                located(
                    text,
                    path,
                    Some(rule.span()),
                    &format!("unknown relation {name:?} (known: {})", known.join(", ")),
                )
            })?;
            let target = config.relations.get_mut(&relation).expect("every relation has a rule");
            let rule = rule.get_ref();
            if let Some(enabled) = rule.enabled {
                target.enabled = Sourced { value: enabled, origin: origin.clone() };
            }
            if let Some(min) = &rule.min_score {
                if !(0.0..=1.0).contains(min.get_ref()) {
                    return Err(located(text, path, Some(min.span()), "min-score must be from 0 to 1"));
                }
                target.min_score = Sourced { value: *min.get_ref(), origin: origin.clone() };
            }
        }
        if let Some(repeats) = file.repeats {
            config.repeats = Sourced { value: repeats.enabled, origin: origin.clone() };
        }
        if let Some(include) = file.include {
            config.include = Sourced { value: include, origin: origin.clone() };
        }
        if let Some(exclude) = file.exclude {
            config.exclude = Sourced { value: exclude, origin: origin.clone() };
        }
        for entry in file.allow {
            config.allow.push(allowed(entry, &origin)?);
        }
        config.compile()
    }

    /// Reads the configuration at `path`.
    pub fn read(path: &Path) -> Result<CheckConfig, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: cannot read the configuration: {e}", path.display())))?;
        CheckConfig::parse(&text, path)
    }

    /// The `copydesk.toml` in `dir` or its nearest ancestor holding one.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        dir.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
    }

    /// Adds globs given on the command line.
    pub fn with_flags(mut self, include: &[String], exclude: &[String], repeats: bool) -> Result<Self, ConfigError> {
        if !include.is_empty() {
            self.include = Sourced { value: include.to_vec(), origin: Origin::Flag("--include") };
        }
        if !exclude.is_empty() {
            let mut all = self.exclude.value.clone();
            all.extend(exclude.iter().cloned());
            self.exclude = Sourced { value: all, origin: Origin::Flag("--exclude") };
        }
        if repeats {
            self.repeats = Sourced { value: true, origin: Origin::Flag("--repeats") };
        }
        self.compile()
    }

    /// Compiles the globs, so that a bad one is an error before any work.
    fn compile(mut self) -> Result<Self, ConfigError> {
        self.include_set = if self.include.value.is_empty() {
            None
        } else {
            Some(glob_set(&self.include.value, &self.include.origin)?)
        };
        self.exclude_set = glob_set(&self.exclude.value, &self.exclude.origin)?;
        Ok(self)
    }

    /// `path` (as the input names it) relative to [`CheckConfig::root`],
    /// `/`-separated; as given when it is outside the root.
    pub fn relative(&self, path: &str) -> String {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let (file, root) = (absolute(Path::new(path)), absolute(&self.root));
        let tidy = |p: &Path| {
            let parts: Vec<String> = p
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            parts.join("/")
        };
        match file.strip_prefix(&root) {
            Ok(inside) => tidy(inside),
            Err(_) => path.replace('\\', "/"),
        }
    }

    /// Whether a file at `path` (relative, `/`-separated) is checked.
    pub fn selects(&self, path: &str) -> bool {
        self.include_set.as_ref().is_none_or(|s| s.is_match(path)) && !self.exclude_set.is_match(path)
    }

    /// The rule of `relation`, if a check can count it at all.
    pub fn rule(&self, relation: Relation) -> Option<&RelationRule> {
        self.relations.get(&relation)
    }

    /// The allowlist entry that allows a finding, if any.
    pub fn allowed(&self, fingerprint: &str, a: &str, b: &str) -> Option<&Allowed> {
        self.allow.iter().find(|e| e.allows(fingerprint, a, b))
    }

    /// The effective configuration as TOML, each value followed by where
    /// it came from.
    pub fn show(&self) -> String {
        let mut out = String::new();
        let list = |v: &[String]| format!("[{}]", v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "));
        out += &format!("include = {}  # {}\n", list(&self.include.value), self.include.origin);
        out += &format!("exclude = {}  # {}\n", list(&self.exclude.value), self.exclude.origin);
        for (relation, rule) in &self.relations {
            out += &format!("\n[relations.{}]\n", relation.as_str());
            out += &format!("enabled = {}  # {}\n", rule.enabled.value, rule.enabled.origin);
            out += &format!("min-score = {:?}  # {}\n", rule.min_score.value, rule.min_score.origin);
        }
        out += &format!("\n[repeats]\nenabled = {}  # {}\n", self.repeats.value, self.repeats.origin);
        for entry in &self.allow {
            out += "\n[[allow]]\n";
            match &entry.fingerprint {
                Some(f) => out += &format!("fingerprint = {f:?}\n"),
                None => out += &format!("paths = {}\n", list(&entry.paths)),
            }
            out += &format!("reason = {:?}  # {}\n", entry.reason, entry.origin);
        }
        out
    }
}

fn allowed(entry: FileAllowed, origin: &Origin) -> Result<Allowed, ConfigError> {
    let at = |what: &str| ConfigError(format!("{origin}: an [[allow]] entry {what}"));
    if entry.reason.trim().is_empty() {
        return Err(at("needs a reason"));
    }
    let (paths, matcher) = match (entry.paths, &entry.fingerprint) {
        (Some(_), Some(_)) => return Err(at("names paths or a fingerprint, not both")),
        (None, None) => return Err(at("names paths (a pair or cluster of files) or a fingerprint")),
        (Some(paths), None) if paths.is_empty() => return Err(at("names no paths")),
        (Some(paths), None) => {
            let set = glob_set(&paths, origin)?;
            (paths, Some(set))
        }
        (None, Some(_)) => (Vec::new(), None),
    };
    Ok(Allowed { paths, matcher, fingerprint: entry.fingerprint, reason: entry.reason, origin: origin.clone() })
}

fn glob_set(globs: &[String], origin: &Origin) -> Result<GlobSet, ConfigError> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| ConfigError(format!("{origin}: glob {g:?} does not compile: {}", e.kind())))?;
        set.add(glob);
    }
    set.build().map_err(|e| ConfigError(format!("{origin}: globs do not compile: {e}")))
}

/// An error at a byte span of a config file, as `file:line:column: message`.
fn located(text: &str, path: &Path, span: Option<std::ops::Range<usize>>, message: &str) -> ConfigError {
    let message = message.trim();
    match span {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            ConfigError(format!("{}:{line}:{column}: {message}", path.display()))
        }
        None => ConfigError(format!("{}: {message}", path.display())),
    }
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CheckConfig, ConfigError> {
        CheckConfig::parse(text, Path::new("copydesk.toml"))
    }

    #[test]
    fn values_over_defaults_say_where_they_came_from() {
        let config = parse("[relations.near-duplicate]\nmin-score = 0.6\n[repeats]\nenabled = true\n").unwrap();
        let rule = config.rule(Relation::NearDuplicate).unwrap();
        assert_eq!(rule.min_score.value, 0.6);
        assert_eq!(rule.min_score.origin, Origin::File("copydesk.toml".into()));
        assert_eq!(config.rule(Relation::Duplicate).unwrap().min_score.origin, Origin::Default);
        assert!(config.repeats.value);
        let shown = config.show();
        assert!(shown.contains("min-score = 0.6  # copydesk.toml"), "{shown}");
        assert!(shown.contains("[relations.partial]\nenabled = true  # default"), "{shown}");
    }

    #[test]
    fn mistakes_are_errors_with_line_and_column() {
        let e = parse("[relations.near-duplicate]\nmin-scor = 0.6\n").unwrap_err().0;
        assert!(e.starts_with("copydesk.toml:2:1:") && e.contains("min-scor"), "{e}");
        let e = parse("include = [\"a\"\n").unwrap_err().0;
        assert!(e.starts_with("copydesk.toml:"), "{e}");
        let e = parse("[relations.quotation]\nenabled = true\n").unwrap_err().0;
        assert!(e.contains("unknown relation \"quotation\""), "{e}");
        let e = parse("[relations.contained]\nmin-score = 1.5\n").unwrap_err().0;
        assert!(e.starts_with("copydesk.toml:2:13:") && e.contains("from 0 to 1"), "{e}");
        let e = parse("exclude = [\"a[\"]\n").unwrap_err().0;
        assert!(e.contains("does not compile"), "{e}");
        let e = parse("[[allow]]\npaths = [\"a\", \"b\"]\nreason = \" \"\n").unwrap_err().0;
        assert!(e.contains("needs a reason"), "{e}");
        assert!(parse("[[allow]]\nreason = \"x\"\n").is_err());
    }

    #[test]
    fn globs_select_and_allow() {
        let config = parse(
            "include = [\"news/**\"]\nexclude = [\"news/drafts/**\"]\n[[allow]]\npaths = [\"news/wire/*\"]\nreason = \"licensed\"\n",
        )
        .unwrap();
        assert!(config.selects("news/a.txt"));
        assert!(!config.selects("news/drafts/a.txt"));
        assert!(!config.selects("other/a.txt"));
        assert!(config.allowed("f", "news/wire/a.txt", "news/wire/b.txt").is_some());
        assert!(config.allowed("f", "news/wire/a.txt", "news/b.txt").is_none());
        assert!(config.allowed("f", "news/wire/x/a.txt", "news/wire/b.txt").is_none(), "* stays in one folder");
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
