//! Why an index could not be used: the one error type of the feed index,
//! from a busy or damaged file to settings that do not match.

use super::schema::FORMAT_VERSION;
use thiserror::Error;

/// Why an index could not be used.
#[derive(Debug, Error)]
pub enum IndexError {
    #[error("{path}: the index is open in another process (one writer at a time); try again when it finishes")]
    InUse { path: String },
    #[error(
        "{path}: not a readable copydesk index ({detail}); it was left as it is: run `copydesk index verify {dir}`"
    )]
    Damaged { path: String, dir: String, detail: String },
    #[error("{path}: index format {found}, this copydesk reads format {FORMAT_VERSION}")]
    Format { path: String, found: String },
    #[error("{path}: the index was built with {stored}; this run asks for {given}. Settings cannot be mixed in one index: use the index's settings or a new index")]
    Settings { path: String, stored: String, given: String },
    #[error("{path}: {detail}")]
    Io { path: String, detail: String },
    #[error("index database: {0}")]
    Db(#[from] redb::Error),
    #[error("index record: {0}")]
    Record(String),
}

macro_rules! db_error {
    ($($t:ty),*) => {$(
        impl From<$t> for IndexError {
            fn from(e: $t) -> Self {
                IndexError::Db(e.into())
            }
        }
    )*};
}
db_error!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);
