//! File names and file kinds: a path in, its exact bytes when it is not
//! UTF-8 (the name copydesk prints is [`crate::document::display_path`]),
//! what kind of file it is (known from metadata, before anything is
//! opened), and a file opened without blocking.

use std::fs::{File, Metadata};
use std::path::Path;

/// The bytes of a path that is not UTF-8 (for lossless JSON output).
pub(super) fn raw_bytes(path: &Path) -> Option<Vec<u8>> {
    let os = path.as_os_str();
    os.to_str().is_none().then(|| os.as_encoded_bytes().to_vec())
}

/// What a file that is neither regular nor a directory is, if it is one.
pub(super) fn special_kind(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    Some("a special file")
}

/// A key that is the same for two paths to one file.
pub(super) fn file_key(meta: &Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Opens `path` for reading only if it is a regular file. On Unix the open
/// does not block (a path swapped for a FIFO after its metadata was read
/// would otherwise wait for a writer for ever), and the opened file's own
/// metadata is checked.
pub(super) fn open_regular(path: &Path) -> Result<File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| format!("unreadable: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("unreadable: {e}"))?;
    if let Some(kind) = special_kind(&meta) {
        return Err(format!("not a regular file ({kind})"));
    }
    if meta.is_dir() {
        return Err("a directory".into());
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::display_path;

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"dir/a\xff.txt"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"dir/a\xfe.txt"));
        assert_eq!(display_path(a), "dir/a\\xFF.txt");
        assert_ne!(display_path(a), display_path(b));
        assert_eq!(raw_bytes(a).as_deref(), Some(&b"dir/a\xff.txt"[..]));
        assert_eq!(display_path(Path::new("dir/é.txt")), "dir/é.txt");
        assert_eq!(raw_bytes(Path::new("dir/é.txt")), None);
    }
}
