//! The bioport command-line tool: the same core as the page, for scripts and terminals.
//! Every command recognises its files first and ends with the same exit codes
//! ([`outcome::Outcome`]).

#[cfg(not(target_arch = "wasm32"))]
mod archive;
#[cfg(not(target_arch = "wasm32"))]
mod check;
#[cfg(not(target_arch = "wasm32"))]
mod clock;
#[cfg(not(target_arch = "wasm32"))]
mod convert;
#[cfg(not(target_arch = "wasm32"))]
mod faces;
#[cfg(not(target_arch = "wasm32"))]
mod files;
#[cfg(not(target_arch = "wasm32"))]
mod inspect;
#[cfg(not(target_arch = "wasm32"))]
mod outcome;
#[cfg(not(target_arch = "wasm32"))]
mod site;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};

    use crate::check::DeviceArgs;
    use crate::clock::{ClockCheckArgs, ClockConvertArgs};
    use crate::convert::{MergeArg, Target};
    use crate::outcome::EXIT_CODES;
    use crate::site::SiteArgs;

    /// Converts the user files of access-control systems and time clocks, offline.
    #[derive(Parser)]
    #[command(
        name = "bioport",
        version,
        about = "Converts user files of biometric access-control systems and time clocks, on this machine: nothing is sent anywhere",
        after_help = EXIT_CODES
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Say what each file is and summarise it (size, rows, records or entries, damage).
        ///
        /// Exit code: 0 when every file was read and nothing is wrong, 1 when a file has
        /// problems (a truncated or damaged archive, a cut-off record, damaged lines), 2
        /// when a file could not be read or is not a file bioport reads.
        #[command(after_help = EXIT_CODES)]
        Inspect {
            /// The files to look at.
            #[arg(required = true)]
            files: Vec<PathBuf>,
            /// Print one JSON array instead of text (always JSON, errors included).
            #[arg(long)]
            json: bool,
            /// For one BioStar data file: list every entry (path, size, mode, type, content).
            #[arg(long)]
            entries: bool,
            /// With --entries: the SHA-256 of every entry, as sha256sum prints it.
            #[arg(long, requires = "entries")]
            sha256: bool,
        },
        /// Check a BioStar user CSV before upload: how it was read, the mapping, and every
        /// problem the server would reject (or that looks like a mistake). A clock's
        /// user.dat: every user and what the clock could not hold. An attendance log: its
        /// punches, damaged lines (line and byte) and exact duplicates. A clock's template
        /// file (template.dat, template.fp10.1, ssrface.dat): its records per uid, and with
        /// --users the uids without a user. A BioStar data file (.tgz), with --device and
        /// --firmware: whether that device takes it.
        ///
        /// Exit code: 0 when nothing is wrong, 1 when rows, users, lines, records or the
        /// data file have problems, 2 when the file could not be read or is none of these.
        #[command(after_help = EXIT_CODES)]
        Check {
            /// The file: a user CSV; a clock's user.dat, attendance log (1_attlog.dat),
            /// template.dat, template.fp10.1 or ssrface.dat; or a BioStar data file (.tgz).
            file: PathBuf,
            #[command(flatten)]
            site: SiteArgs,
            #[command(flatten)]
            clock: ClockCheckArgs,
            #[command(flatten)]
            device: DeviceArgs,
            /// The folder of face images the face_image_file1/2 cells name: each named
            /// file is checked (found, JPG/PNG by its bytes, whole, at most 10 MB and
            /// 4000 x 4000 px, at least 250 x 250, not shared with another user).
            #[arg(long, value_name = "DIR")]
            faces: Option<PathBuf>,
            /// Print JSON ({view, findings}, or {error}) instead of text.
            #[arg(long)]
            json: bool,
        },
        /// Check a folder of face images named by user ID (BioStar 2.9+ "import by file
        /// name") against the users of a CSV: users without an image, images named after
        /// no user (new users), two images for one user, and each image's type, size and
        /// resolution.
        ///
        /// Exit code: 0 when nothing is wrong (small images are warnings), 1 when there
        /// are findings, 2 when the folder or the CSV could not be read.
        #[command(after_help = EXIT_CODES)]
        Faces {
            /// The folder of images (123.jpg, 124.png...).
            dir: PathBuf,
            /// The user CSV whose users the images are for.
            #[arg(long, value_name = "CSV")]
            users: PathBuf,
            /// The server's current "Export CSV": its users count too (the users after a merge).
            #[arg(long, value_name = "CSV")]
            existing: Option<PathBuf>,
            #[command(flatten)]
            site: SiteArgs,
            /// Also write the images named after no user as a BioStar user CSV of new users
            /// (`user_id`, `name` left empty, `face_image_file1`), and say what the import
            /// check finds in it.
            #[arg(long, value_name = "OUT")]
            new_users: Option<PathBuf>,
            /// Print JSON ({report, images, new_users, messages, new_users_check}, or
            /// {error}) instead of text.
            #[arg(long)]
            json: bool,
        },
        /// Write the file the BioStar server imports (and the failed rows beside it), or
        /// convert a clock's files.
        ///
        /// A user CSV --to biostar-csv writes OUT (rows without errors, BioStar header
        /// names, UTF-8, CRLF) and, when rows have errors, `<OUT stem>_errors.csv` with an
        /// Error_Description column; --to user-dat writes a clock's user.dat (uids of
        /// --users kept). A user.dat --to biostar-csv writes user ID, name, card and PIN.
        /// An attendance log --to attlog writes it repaired; --to punches-csv writes its
        /// punches with names from --users.
        /// Every output goes through a temporary file renamed into place, and an output
        /// that would replace an input is refused.
        /// Exit code: 0 when every row was written, 1 when rows with errors were left out
        /// (or nothing could be written because of the mapping), 2 when a file could not
        /// be read or written.
        #[command(after_help = EXIT_CODES)]
        Convert {
            /// The CSV file, or a clock's user.dat or attendance log.
            file: PathBuf,
            /// The format to write.
            #[arg(long, value_enum)]
            to: Target,
            /// Where to write the import file.
            #[arg(short = 'o', long = "output")]
            output: PathBuf,
            /// Write every row with data, errors included (the error file is still written).
            #[arg(long)]
            all_rows: bool,
            /// The server's current "Export CSV", to merge against (keep or overwrite per user).
            #[arg(long)]
            existing: Option<PathBuf>,
            /// What to do with users the export already has.
            #[arg(long, value_enum, requires = "existing", default_value = "keep")]
            merge: MergeArg,
            /// The folder of face images the face_image_file1/2 cells name, as for
            /// `check --faces`: rows with face image errors are left out of the import file
            /// and go to the error file, as on the page.
            #[arg(long, value_name = "DIR")]
            faces: Option<PathBuf>,
            #[command(flatten)]
            site: SiteArgs,
            #[command(flatten)]
            clock: ClockConvertArgs,
        },
        /// Give a BioStar data file the name devices read (BioStar2_YYYYMMDD_HHMMSS.tgz),
        /// or back with --to-server. The bytes stay as they are, unless entry paths carry
        /// the old name and --rewrite-paths asks to rename them too (then only the names
        /// change: every entry's bytes, mode and time are kept).
        ///
        /// Exit code: 0 when written, 1 when the file is refused for what it holds (damaged,
        /// entries outside its folder, not packed as BioStar writes it, a name that is no
        /// date and time) or written all the same with --anyway (saying what it overrode),
        /// 2 when it cannot be read or is no data file, or the renamed file cannot be
        /// written.
        #[command(after_help = EXIT_CODES)]
        Rename {
            /// The data file.
            file: PathBuf,
            /// The folder to write into (the file's own folder by default).
            #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
            dir: Option<PathBuf>,
            /// Also rename entry paths that carry the old name (writes a new archive).
            #[arg(long)]
            rewrite_paths: bool,
            /// Rename to the server's BioStarX_ name instead.
            #[arg(long)]
            to_server: bool,
            /// Rename all the same a damaged data file (its bytes as they are, never
            /// rewritten), one with entries outside its folder or not packed as BioStar
            /// writes it (rewriting allowed), or one whose name holds no real time: written,
            /// with exit code 1 and what was overridden.
            #[arg(long)]
            anyway: bool,
        },
        /// Compare two BioStar data files: entries added, removed and changed (by SHA-256).
        ///
        /// Exit code: 0 when they hold the same entries, 1 when they differ, 2 when one
        /// cannot be read.
        #[command(after_help = EXIT_CODES)]
        Diff {
            /// The first data file.
            first: PathBuf,
            /// The second data file.
            second: PathBuf,
            /// Print JSON instead of text.
            #[arg(long)]
            json: bool,
        },
    }

    /// Lets a closed output (`bioport check ... | head`) end the process as it ends `cat`,
    /// instead of a panic at the next line printed: Rust ignores SIGPIPE by default.
    fn end_quietly_on_a_closed_pipe() {
        #[cfg(unix)]
        // SAFETY: restoring the default action of one signal, before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }

    /// Runs the command line and returns the process exit code.
    pub fn main() -> ExitCode {
        end_quietly_on_a_closed_pipe();
        let outcome = match Cli::parse().command {
            Command::Inspect {
                files,
                json,
                entries,
                sha256,
            } => match (entries, files.as_slice()) {
                (false, _) => crate::inspect::run(&files, json),
                (true, [file]) => crate::archive::list_entries(file, sha256, json),
                (true, _) => crate::outcome::fail("--entries lists one data file at a time", json),
            },
            Command::Rename {
                file,
                dir,
                rewrite_paths,
                to_server,
                anyway,
            } => {
                let how = (rewrite_paths, to_server, anyway);
                crate::archive::rename(&file, dir.as_deref(), how)
            }
            Command::Diff {
                first,
                second,
                json,
            } => crate::archive::diff(&first, &second, json),
            Command::Check {
                file,
                site,
                clock,
                device,
                faces,
                json,
            } => crate::check::run(&file, &site, &clock, &device, faces.as_deref(), json),
            Command::Faces {
                dir,
                users,
                existing,
                site,
                new_users,
                json,
            } => {
                let inputs = crate::faces::ByNameInputs {
                    dir: &dir,
                    users: &users,
                    existing: existing.as_deref(),
                    new_users: new_users.as_deref(),
                };
                crate::faces::run(&inputs, &site, json)
            }
            Command::Convert {
                file,
                to,
                output,
                all_rows,
                existing,
                merge,
                faces,
                site,
                clock,
            } => crate::convert::run(
                &crate::convert::Job {
                    file: &file,
                    to,
                    output: &output,
                    all_rows,
                    existing: existing.as_deref(),
                    merge,
                    faces: faces.as_deref(),
                },
                &site,
                &clock,
            ),
        };
        outcome.code()
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
