//! What the command-line tests share: a temporary folder of their own and running the
//! program in it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `bioport` program with `args` in the folder `cwd`.
pub fn bioport(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bioport"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run bioport")
}

/// What the program printed on its standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// What the program printed on its standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("UTF-8 output")
}

/// A folder of its own under the system's temporary folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh, empty folder named after the test.
    pub fn new(test: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("bioport-test-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("temporary folder");
        TempDir(path)
    }

    /// Writes `bytes` to `name` in the folder and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, bytes).expect("write test file");
        path
    }

    /// The path of `name` in the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
