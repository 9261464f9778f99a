//! Files in and out for every command: outputs go through a temporary file renamed into
//! place (written through a symbolic link to its target, and straight into a device or
//! FIFO such as /dev/stdout), and an output may never name an input or a folder.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use bioport::recognize::{recognize, Recognition, HEAD_LEN};

use crate::outcome::Outcome;

/// The paths a file's real identity is compared by: canonical where the file exists,
/// else its canonical folder joined with its name.
pub fn identity(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf());
    folder.join(path.file_name().unwrap_or_default())
}

/// Refuses an output that names one of the inputs, or a folder.
pub fn refuse_overwriting(inputs: &[&Path], outputs: &[(&str, &Path)]) -> Result<(), String> {
    if let Some((what, output)) = outputs.iter().find(|(_, o)| o.is_dir()) {
        return Err(format!(
            "the {what} {} is a folder; nothing was written. Name a file with -o.",
            output.display()
        ));
    }
    for input in inputs {
        let input_id = identity(input);
        for (what, output) in outputs {
            if identity(output) == input_id {
                return Err(format!(
                    "the {what} {} would replace the input {}; nothing was written. Name another output with -o.",
                    output.display(),
                    input.display()
                ));
            }
        }
    }
    Ok(())
}

/// Where writing `path` lands: the target of a symbolic link (followed link by link,
/// dangling or not), else `path` itself.
fn landing(path: &Path) -> PathBuf {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&at) {
            Ok(target) => at = at.parent().unwrap_or(Path::new("")).join(target),
            Err(_) => break,
        }
    }
    at
}

/// True for an existing file that is neither a regular file nor a folder: a device or a
/// FIFO, written straight into (a rename would replace it).
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes through a temporary file beside `path` (a link's target), renamed into place on
/// success; straight into a device or FIFO.
pub fn write_file<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<T>,
) -> Result<T, (Outcome, String)> {
    let shown = path.display();
    let cannot = |e: std::io::Error| (Outcome::Unusable, format!("{shown}: cannot write: {e}"));
    // The writer refusing what it was given is a problem of the input, not of the disk.
    let failed = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::InvalidInput => (Outcome::Problems, format!("{shown}: {e}")),
        _ => cannot(e),
    };
    let target = landing(path);
    if is_special(&target) {
        let file = File::options().write(true).open(&target).map_err(cannot)?;
        let mut out = BufWriter::new(file);
        return write(&mut out)
            .and_then(|report| out.flush().map(|()| report))
            .map_err(failed);
    }
    let mut tmp_name = target.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".bioport-partial");
    let tmp = target.with_file_name(tmp_name);
    let file = File::create(&tmp).map_err(cannot)?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out).and_then(|report| {
        out.flush()?;
        Ok(report)
    });
    drop(out);
    let renamed = result.and_then(|report| std::fs::rename(&tmp, &target).map(|()| report));
    renamed.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

/// What a file is, from its name, size and first bytes.
pub fn recognize_file(path: &Path) -> Result<Recognition, String> {
    use std::io::Read;
    let shown = path.display();
    let file = File::open(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let size = file
        .metadata()
        .map_err(|e| format!("{shown}: cannot read: {e}"))?
        .len();
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = path
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    Ok(recognize(&name, size, &head))
}
