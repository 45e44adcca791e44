//! Files the installation writes beside its database (the database itself, backups,
//! key files, anchors): readable and writable by their owner only.

use std::fs::{File, OpenOptions};
use std::path::Path;

fn private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    options
}

/// Creates `path` for writing with mode 0600 (on Unix); fails if it exists.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    private(OpenOptions::new().write(true).create_new(true)).open(path)
}

/// Opens `path` for appending, creating it with mode 0600 (on Unix) if missing.
pub fn append_private(path: &Path) -> std::io::Result<File> {
    private(OpenOptions::new().append(true).create(true)).open(path)
}
