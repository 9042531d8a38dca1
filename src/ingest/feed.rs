//! News feeds: an RSS 2.0, Atom or JSON Feed file in, one document per item
//! out, parsed with `feed-rs` (a maintained parser of all three formats and
//! their common variants).
//!
//! An item's text is its content, else its summary, reduced from HTML as an
//! HTML page is (see [`super::html`]); its offsets are byte offsets into
//! that content string as the feed gives it (entities decoded by the XML
//! parser). The id is the item's id (`guid`, Atom `id`, JSON Feed `id`, or
//! the one feed-rs derives from its link when there is none); the title,
//! first link, publication time (else update time) and the feed's title as
//! outlet are kept.

use super::html;
use crate::document::{Document, Metadata, Source};
use crate::time::Published;

/// An item that could not be turned into a document, and why.
pub struct ItemSkip {
    pub item: usize,
    pub reason: String,
}

/// Whether a file name says "feed": `.rss`, `.atom`, `.xml`, and `.json`
/// (tried as a JSON Feed, read as text when it is not one).
pub fn is_feed_extension(ext: &str) -> bool {
    matches!(ext, "rss" | "atom" | "xml" | "json")
}

/// Parses a feed file's bytes; an error says why it is not a feed.
pub fn read(bytes: &[u8], name: &str) -> Result<(Vec<Document>, Vec<ItemSkip>), String> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| format!("not a readable feed: {e}"))?;
    let outlet = feed.title.as_ref().map(|t| t.content.trim().to_string()).filter(|t| !t.is_empty());
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (i, entry) in feed.entries.into_iter().enumerate() {
        let item = i + 1;
        let body = entry.content.and_then(|c| c.body).or_else(|| entry.summary.map(|s| s.content));
        let Some(body) = body.filter(|b| !b.trim().is_empty()) else {
            skipped.push(ItemSkip { item, reason: "no content or summary".into() });
            continue;
        };
        let extracted = match html::extract(&body) {
            Ok(e) if !e.text.trim().is_empty() => e,
            Ok(_) => {
                skipped.push(ItemSkip { item, reason: "no article text in the item".into() });
                continue;
            }
            Err(reason) => {
                skipped.push(ItemSkip { item, reason });
                continue;
            }
        };
        let id = if entry.id.trim().is_empty() { format!("{name}#{item}") } else { entry.id.clone() };
        let published = entry.published.or(entry.updated).map(|t| Published::parse(&t.to_rfc3339()));
        docs.push(Document {
            id,
            source: Source::FeedItem { path: name.to_string(), item },
            meta: Metadata {
                outlet: outlet.clone(),
                url: entry.links.first().map(|l| l.href.clone()),
                title: entry.title.map(|t| t.content.trim().to_string()).filter(|t| !t.is_empty()),
                published,
                extra: Default::default(),
                encoding: None,
            },
            origin: html::origin(&extracted),
            text: extracted.text,
        });
    }
    Ok((docs, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_items_become_documents() {
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Example Wire</title>
            <item><guid>story-1</guid><title>Bridge reopens</title><link>https://example.com/1</link>
            <pubDate>Tue, 18 Jul 2023 09:00:00 GMT</pubDate>
            <description>&lt;p&gt;The bridge &amp;amp; the road reopened.&lt;/p&gt;</description></item>
            <item><guid>story-2</guid><title>Empty</title></item></channel></rss>"#;
        let (docs, skipped) = read(rss.as_bytes(), "f.rss").unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].id, "story-1");
        assert_eq!(docs[0].text, "The bridge & the road reopened.");
        assert_eq!(docs[0].meta.outlet.as_deref(), Some("Example Wire"));
        assert_eq!(docs[0].meta.url.as_deref(), Some("https://example.com/1"));
        assert_eq!(docs[0].meta.published.as_ref().and_then(|p| p.seconds()), Some(1_689_670_800));
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].item, 2);
    }

    #[test]
    fn json_feed_and_atom() {
        let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Blog",
            "items": [{"id": "a", "content_html": "<p>Hello there, readers.</p>", "date_published": "2023-10-18T10:00:00Z"}]}"#;
        let (docs, _) = read(json.as_bytes(), "f.json").unwrap();
        assert_eq!(docs[0].id, "a");
        assert_eq!(docs[0].text, "Hello there, readers.");
        let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
            <entry><id>urn:x:1</id><title>T</title><updated>2023-10-18T10:00:00Z</updated>
            <content type="html">&lt;p&gt;Atom body text.&lt;/p&gt;</content></entry></feed>"#;
        let (docs, _) = read(atom.as_bytes(), "f.atom").unwrap();
        assert_eq!(docs[0].id, "urn:x:1");
        assert_eq!(docs[0].text, "Atom body text.");
        assert!(read(b"{\"not\": \"a feed\"}", "x.json").is_err());
    }
}
