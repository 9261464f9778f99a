//! The bioport command-line tool: the same core as the page, for scripts and terminals.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom};
    use std::path::PathBuf;
    use std::process::ExitCode;

    use bioport::formats::{FileKind, HEAD_LEN};
    use bioport::inspect::{inspect, Summary};
    use clap::{Parser, Subcommand};

    /// Converts the user files of access-control systems and time clocks, offline.
    #[derive(Parser)]
    #[command(name = "bioport", version, about)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Say what each file is and summarise it (size, rows, records or entries).
        ///
        /// Exit code: 0 when every file was read and recognised, 1 when a file was not
        /// recognised, 2 when a file could not be read.
        Inspect {
            /// The files to look at.
            #[arg(required = true)]
            files: Vec<PathBuf>,
            /// Print one JSON array instead of text.
            #[arg(long)]
            json: bool,
        },
    }

    fn read_summary(path: &PathBuf) -> Result<Summary, String> {
        let shown = path.display();
        let mut file = File::open(path).map_err(|e| format!("{shown}: cannot open: {e}"))?;
        let size = file
            .metadata()
            .map_err(|e| format!("{shown}: cannot read its size: {e}"))?
            .len();
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(format!("{shown}: is a folder; name the files inside it"));
        }
        let mut head = Vec::with_capacity(HEAD_LEN);
        (&mut file)
            .take(HEAD_LEN as u64)
            .read_to_end(&mut head)
            .map_err(|e| format!("{shown}: cannot read: {e}"))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| format!("{shown}: cannot read: {e}"))?;
        let name = path.to_string_lossy();
        Ok(inspect(&name, size, &head, file, &mut |_| {}))
    }

    /// Runs the command line and returns the process exit code.
    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Inspect { files, json } => {
                let mut worst = 0u8;
                let mut summaries = Vec::new();
                for path in &files {
                    match read_summary(path) {
                        Ok(s) => {
                            if s.recognition.kind == FileKind::Unknown {
                                worst = worst.max(1);
                            }
                            summaries.push(s);
                        }
                        Err(message) => {
                            worst = 2;
                            eprintln!("bioport: {message}");
                        }
                    }
                }
                if json {
                    match serde_json::to_string_pretty(&summaries) {
                        Ok(text) => println!("{text}"),
                        Err(e) => {
                            eprintln!("bioport: cannot write JSON: {e}");
                            return ExitCode::from(2);
                        }
                    }
                } else {
                    for s in &summaries {
                        println!("{}", s.one_line());
                        if s.recognition.kind == FileKind::Unknown {
                            println!("  {}", s.recognition.reason);
                        }
                        for note in &s.recognition.notes {
                            println!("  note: {note}");
                        }
                        for problem in &s.problems {
                            println!("  problem: {problem}");
                        }
                        if s.problem_count > s.problems.len() as u64 {
                            println!(
                                "  ... and {} more problems",
                                s.problem_count - s.problems.len() as u64
                            );
                        }
                        if let Some(device) = &s.device_name {
                            println!("  a device reads it only under the name {device}");
                        }
                    }
                }
                ExitCode::from(worst)
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
