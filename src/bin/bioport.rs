//! The bioport command-line tool: the same core as the page, for scripts and terminals.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::fs::File;
    use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use bioport::inspect::{inspect, Summary};
    use bioport::recognize::{FileKind, HEAD_LEN};
    use bioport::text::TextEncoding;
    use bioport::workbench::mapping::column_letter;
    use bioport::workbench::merge::MergeChoice;
    use bioport::workbench::validate::{ExpiryLimit, Severity, SiteSettings, UserIdType};
    use bioport::workbench::{ImportRows, OpenOptions, Workbook, WorkbookView};
    use clap::{Args, Parser, Subcommand, ValueEnum};

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
        /// Check a BioStar user CSV before upload: how it was read, the mapping, and every
        /// problem the server would reject (or that looks like a mistake).
        ///
        /// Exit code: 0 when no row has errors, 1 when rows (or the mapping) have errors,
        /// 2 when the file could not be read.
        Check {
            /// The CSV file.
            file: PathBuf,
            #[command(flatten)]
            site: SiteArgs,
            /// Print JSON ({view, findings}) instead of text.
            #[arg(long)]
            json: bool,
        },
        /// Write the file the BioStar server imports, and the failed rows beside it.
        ///
        /// Writes OUT (rows without errors, BioStar header names, UTF-8, CRLF) and, when
        /// rows have errors, `<OUT stem>_errors.csv` with an Error_Description column.
        /// Exit code: 0 when every row was written, 1 when rows with errors were left out
        /// (or nothing could be written because of the mapping), 2 when a file could not
        /// be read or written.
        Convert {
            /// The CSV file.
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
            #[command(flatten)]
            site: SiteArgs,
        },
    }

    /// The formats `convert` writes.
    #[derive(Clone, Copy, ValueEnum)]
    enum Target {
        /// The BioStar 2 / BioStar X user CSV for "Import CSV".
        BiostarCsv,
    }

    /// Keep or overwrite users the server already has.
    #[derive(Clone, Copy, ValueEnum)]
    enum MergeArg {
        /// Keep the stored user; the file's row is left out.
        Keep,
        /// Replace the stored user with the file's row.
        Overwrite,
    }

    /// How the target server is set up and how to read the file.
    #[derive(Args)]
    struct SiteArgs {
        /// The server uses alphanumeric user IDs (letters, digits, - and _).
        #[arg(long)]
        alphanumeric_ids: bool,
        /// The latest expiry year the server and devices accept.
        #[arg(long, value_parser = ["2030", "2037"], default_value = "2037")]
        expiry: String,
        /// A dynamic Airfob site: mobile cards need both mobile dates.
        #[arg(long)]
        dynamic_site: bool,
        /// Allow the symbols the manual allows in names (live servers reject them).
        #[arg(long)]
        no_strict_names: bool,
        /// The header's line (1-based), instead of the guessed one.
        #[arg(long, value_name = "N")]
        header_row: Option<u64>,
        /// The text encoding: utf-8, utf-8-bom, utf-16le, utf-16be, cp949, windows-1252.
        #[arg(long, value_name = "ID")]
        encoding: Option<String>,
        /// The delimiter: , or ; or tab.
        #[arg(long)]
        delimiter: Option<String>,
        /// A custom user field the server has (repeat for more).
        #[arg(long = "custom-field", value_name = "NAME")]
        custom_fields: Vec<String>,
    }

    impl SiteArgs {
        /// The open options these arguments ask for (the header line is applied after).
        fn options(&self) -> Result<OpenOptions, String> {
            let encoding = match &self.encoding {
                None => None,
                Some(id) => Some(TextEncoding::from_id(id).ok_or_else(|| {
                    let ids: Vec<&str> = TextEncoding::all().iter().map(|e| e.id()).collect();
                    format!("unknown encoding \"{id}\"; use one of {}", ids.join(", "))
                })?),
            };
            let delimiter = match self.delimiter.as_deref() {
                None => None,
                Some(",") | Some("comma") => Some(b','),
                Some(";") | Some("semicolon") => Some(b';'),
                Some("tab") | Some("\t") | Some("\\t") => Some(b'\t'),
                Some(other) => {
                    return Err(format!("unknown delimiter \"{other}\"; use , or ; or tab"))
                }
            };
            Ok(OpenOptions {
                encoding,
                delimiter,
                header_row: None,
                settings: SiteSettings {
                    user_id_type: if self.alphanumeric_ids {
                        UserIdType::Alphanumeric
                    } else {
                        UserIdType::Numeric
                    },
                    expiry_limit: if self.expiry == "2030" {
                        ExpiryLimit::Y2030
                    } else {
                        ExpiryLimit::Y2037
                    },
                    dynamic_site: self.dynamic_site,
                    strict_names: !self.no_strict_names,
                    ..SiteSettings::default()
                },
                custom_fields: self.custom_fields.clone(),
            })
        }
    }

    /// Reads and opens a CSV the way the page does; the message says what went wrong.
    fn open_workbook(path: &Path, site: &SiteArgs) -> Result<Workbook, String> {
        let shown = path.display();
        let options = site.options()?;
        let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
        let name = path
            .file_name()
            .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
        let mut wb = Workbook::open(bytes, &name, options).map_err(|e| e.to_string())?;
        if let Some(line) = site.header_row {
            let row = wb
                .row_of_line(line)
                .ok_or_else(|| format!("{shown}: there is no line {line} to take as the header"))?;
            wb.set_header_row(row).map_err(|e| e.to_string())?;
        }
        Ok(wb)
    }

    /// The summary `check` and `convert` print: reading, mapping, totals, counts per rule.
    fn print_summary(v: &WorkbookView) {
        println!("{}: {} bytes", v.name, v.size);
        println!("  encoding: {} ({})", v.encoding.label(), v.encoding_reason);
        if let Some(m) = &v.replacement_message {
            println!("  warning: {m}");
        }
        let delimiter = match v.delimiter.as_str() {
            "," => "comma",
            ";" => "semicolon",
            "\t" => "tab",
            _ => "other",
        };
        println!("  delimiter: {delimiter} ({})", v.delimiter_reason);
        println!("  header: line {}", v.header_line);
        println!("  mapping:");
        for c in &v.columns {
            let how = match c.target {
                Some(_) => format!(" [{:?}]", c.how).to_lowercase(),
                None => String::new(),
            };
            println!(
                "    {} \"{}\" -> {}{how}",
                column_letter(c.index),
                c.header,
                c.target_label
            );
            if let Some(note) = &c.note {
                println!("        {note}");
            }
        }
        for c in &v.conflicts {
            println!("  error: {c}");
        }
        let t = &v.totals;
        println!(
            "  rows: {} ({} valid, {} with warnings only, {} with errors); mobile cards to issue: {}",
            t.rows, t.valid, t.with_warnings, t.with_errors, t.mobile_cards
        );
        if !v.rules.is_empty() {
            println!("  findings by rule:");
            for r in &v.rules {
                println!(
                    "    {:<7} {:>8}  {:<26} {}",
                    severity_word(r.severity),
                    r.count,
                    r.id,
                    r.title
                );
            }
        }
        for issue in &v.read_issues {
            println!("  read: {issue}");
        }
        if v.read_issue_count > v.read_issues.len() as u64 {
            println!(
                "  read: ... and {} more",
                v.read_issue_count - v.read_issues.len() as u64
            );
        }
        for note in &v.notes {
            println!("  note: {note}");
        }
        for f in &v.file_findings {
            println!("  file error: {f}");
        }
    }

    /// "1 row", "2 rows".
    fn rows_word(n: u64) -> String {
        if n == 1 {
            "1 row".to_string()
        } else {
            format!("{n} rows")
        }
    }

    fn severity_word(s: Severity) -> &'static str {
        match s {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// True when the file cannot be imported as it is: rows or the mapping have errors.
    fn has_errors(v: &WorkbookView) -> bool {
        v.totals.with_errors > 0 || v.totals.file_errors > 0 || !v.conflicts.is_empty()
    }

    fn check(file: &Path, site: &SiteArgs, json: bool) -> ExitCode {
        let wb = match open_workbook(file, site) {
            Ok(wb) => wb,
            Err(message) => {
                eprintln!("bioport: {message}");
                return ExitCode::from(2);
            }
        };
        let view = wb.view();
        if json {
            let findings: Vec<serde_json::Value> = wb
                .findings()
                .map(|(row, line, f)| {
                    serde_json::json!({
                        "row": row,
                        "line": line,
                        "col": f.col,
                        "column": f.col.map(column_letter),
                        "rule": f.rule,
                        "severity": f.severity,
                        "message": f.message,
                    })
                })
                .collect();
            let out = serde_json::json!({ "view": view, "findings": findings });
            match serde_json::to_string_pretty(&out) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("bioport: cannot write JSON: {e}");
                    return ExitCode::from(2);
                }
            }
        } else {
            print_summary(&view);
            let mut any = false;
            for (_, line, f) in wb.findings() {
                if !any {
                    println!("findings:");
                    any = true;
                }
                let col = f.col.map_or_else(|| "-".to_string(), column_letter);
                println!(
                    "  line {line:<6} {col:<3} {:<7} {}",
                    severity_word(f.severity),
                    f.message
                );
            }
        }
        ExitCode::from(u8::from(has_errors(&view)))
    }

    /// Writes through a temporary file beside `path`, renamed into place on success.
    fn write_file(
        path: &Path,
        write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<bioport::workbench::WriteReport>,
    ) -> Result<bioport::workbench::WriteReport, (u8, String)> {
        let shown = path.display();
        let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(".bioport-partial");
        let tmp = path.with_file_name(tmp_name);
        let file = File::create(&tmp).map_err(|e| (2, format!("{shown}: cannot write: {e}")))?;
        let mut out = BufWriter::new(file);
        let result = write(&mut out).and_then(|report| {
            out.flush()?;
            Ok(report)
        });
        drop(out);
        match result {
            Ok(report) => {
                std::fs::rename(&tmp, path).map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    (2, format!("{shown}: cannot write: {e}"))
                })?;
                Ok(report)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                let code = if e.kind() == std::io::ErrorKind::InvalidInput {
                    1
                } else {
                    2
                };
                Err((code, format!("{shown}: {e}")))
            }
        }
    }

    /// `<stem>_errors.csv` beside `output`.
    fn error_path(output: &Path) -> PathBuf {
        let stem = output
            .file_stem()
            .map_or_else(|| "users".to_string(), |s| s.to_string_lossy().into_owned());
        output.with_file_name(format!("{stem}_errors.csv"))
    }

    fn convert(
        file: &Path,
        output: &Path,
        all_rows: bool,
        existing: Option<&Path>,
        merge: MergeArg,
        site: &SiteArgs,
    ) -> ExitCode {
        let mut wb = match open_workbook(file, site) {
            Ok(wb) => wb,
            Err(message) => {
                eprintln!("bioport: {message}");
                return ExitCode::from(2);
            }
        };
        if let Some(path) = existing {
            let shown = path.display();
            let loaded = std::fs::read(path)
                .map_err(|e| format!("{shown}: cannot read: {e}"))
                .and_then(|bytes| {
                    let name = path
                        .file_name()
                        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
                    wb.load_existing(bytes, &name).map_err(|e| e.to_string())
                });
            if let Err(message) = loaded {
                eprintln!("bioport: {message}");
                return ExitCode::from(2);
            }
            wb.set_merge_default(match merge {
                MergeArg::Keep => MergeChoice::Keep,
                MergeArg::Overwrite => MergeChoice::Overwrite,
            });
        }
        let view = wb.view();
        let t = &view.totals;
        println!(
            "read {}: {} data rows ({} valid, {} with warnings only, {} with errors), {}, {}, header on line {}",
            view.name,
            t.rows,
            t.valid,
            t.with_warnings,
            t.with_errors,
            view.encoding.label(),
            match view.delimiter.as_str() {
                "," => "comma",
                ";" => "semicolon",
                _ => "tab",
            },
            view.header_line
        );
        for note in view.notes.iter().chain(&view.file_findings) {
            println!("  {note}");
        }
        if let Some(m) = &view.merge {
            let c = &m.counts;
            println!(
                "merge with {}: {} new, {} in both ({} changed, {} the same), {} kept, {} overwritten, {} only in the export",
                m.existing_name, c.new, c.in_both, c.changed, c.identical, c.kept, c.overwritten, c.untouched
            );
            for note in &m.notes {
                println!("  {note}");
            }
        }
        let rows = if all_rows {
            ImportRows::All
        } else {
            ImportRows::ValidOnly
        };
        let mut code = 0u8;
        match write_file(output, |out| wb.write_import(out, rows)) {
            Ok(report) => println!(
                "wrote {}: {}, {} bytes. {}",
                output.display(),
                rows_word(report.rows),
                report.bytes,
                report.note
            ),
            Err((c, message)) => {
                eprintln!("bioport: {message}");
                code = c;
            }
        }
        if t.with_errors > 0 {
            let path = error_path(output);
            match write_file(&path, |out| wb.write_errors(out)) {
                Ok(report) => println!(
                    "wrote {}: {}, {} bytes. {}",
                    path.display(),
                    rows_word(report.rows),
                    report.bytes,
                    report.note
                ),
                Err((_, message)) => {
                    eprintln!("bioport: {message}");
                    code = 2;
                }
            }
        }
        if code == 0 && has_errors(&view) {
            code = 1;
        }
        ExitCode::from(code)
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
            Command::Check { file, site, json } => check(&file, &site, json),
            Command::Convert {
                file,
                to: Target::BiostarCsv,
                output,
                all_rows,
                existing,
                merge,
                site,
            } => convert(&file, &output, all_rows, existing.as_deref(), merge, &site),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
