//! Report: a finished [`Scan`] in, a report an editor can read out: one
//! self-contained HTML file (inline CSS and a little JS, no network) or
//! Markdown for a ticket or a chat.
//!
//! The scan is first turned into a view model (plain serializable structs:
//! summary, story clusters with their timeline, links with direction and
//! evidence in words, side-by-side passages with the shared text marked by
//! its exact byte range), then rendered by minijinja templates compiled into
//! the binary. The HTML template auto-escapes every value, so article text
//! can never become markup or script; a Content-Security-Policy forbids any
//! network request on top.

use crate::scan::Scan;

mod diff;
mod headline;
mod pictures;
mod view;

pub use diff::Piece;
pub use pictures::{EdgeView, GraphView, NodeView, PointView, ScaleView, GRAPH_OUTLETS};
pub use view::*;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

/// The report's one script, kept apart so the Content-Security-Policy
/// can allow exactly it (by its hash) and no other script.
const SCRIPT: &str = include_str!("filter.js");

/// The CSP source for [`SCRIPT`]: its SHA-256, in base64.
fn script_hash() -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()))
}

/// Escapes what Markdown renderers would otherwise take as markup; line
/// breaks become spaces, so no value can start a heading, list or quote.
fn markdown_escape(value: String) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '|' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Renders a report of `scan`.
pub fn render(scan: &Scan, format: Format) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", include_str!("report.html.j2"))?;
    env.add_template("report.md", include_str!("report.md.j2"))?;
    env.add_filter("md", markdown_escape);
    env.add_filter("clip", |value: String, max: usize| {
        if value.chars().count() <= max {
            value
        } else {
            format!("{}…", value.chars().take(max).collect::<String>())
        }
    });
    let name = match format {
        Format::Html => "report.html",
        Format::Markdown => "report.md",
    };
    env.get_template(name)?
        .render(minijinja::context! { r => view(scan), script => SCRIPT, script_hash => script_hash() })
}
