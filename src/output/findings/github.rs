//! GitHub Actions workflow commands: a `::warning` annotation per new
//! finding, on the copy's lines, naming the other file; `::notice` for
//! skipped inputs and baseline entries that no longer occur.
//!
//! Values are escaped as the runner expects (`%`, CR and LF in messages;
//! also `:` and `,` in properties).

use crate::check::finding::Status;
use crate::check::Outcome;
use std::io::{self, Write};

pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for f in outcome.findings.iter().filter(|f| f.status == Status::New) {
        let c = &f.copy;
        writeln!(
            out,
            "::warning file={},line={},endLine={},col={},endColumn={},title={}::{}",
            property(&c.path),
            c.line,
            c.end_line.max(c.line),
            c.column,
            c.end_column,
            property(&format!("copydesk {}", f.kind.as_str())),
            data(&format!("{} [{}]", f.message(), f.fingerprint))
        )?;
    }
    for e in &outcome.gone {
        writeln!(
            out,
            "::notice title=copydesk baseline::{}",
            data(&format!("no longer found: {} ({} / {})", e.fingerprint, e.copy, e.original))
        )?;
    }
    for s in &outcome.skipped {
        writeln!(out, "::notice file={},title=copydesk skipped::{}", property(&s.path), data(&s.reason))?;
    }
    Ok(())
}

/// Escapes a message.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_reads() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
