//! The data file screen's actions: rename (and rewrite the paths) for a device or back,
//! check the target device, compare two data files.

use std::cmp::Ordering;

use leptos::prelude::*;

use crate::archive::catalogue::{CatalogueView, ComparisonView, FindingRow, SideRow};
use crate::archive::device::{check_device, ArchiveFacts, Severity, DEVICE_MODELS};
use crate::archive::{
    compare_order, data_file_name, dropped_from_name, export_time, unread_paths_note, Direction,
    IMPOSSIBLE_TIME_ADVICE,
};
use crate::protocol::archive::{Storage, COMPARE_ROWS};

use super::view::Findings;
use super::AppState;

/// Rename for a device (or back); rewrite entry paths that carry the old name.
#[component]
pub fn RenamePanel(state: AppState) -> impl IntoView {
    let a = state.archive;
    let choose = move |d: Direction| {
        a.direction.set(d);
        a.plan.set(None);
        a.rewritten.set(None);
    };
    view! {
        <div class="panel" data-testid="rename-panel">
            <h2>"Rename"</h2>
            <fieldset class="row-of-fields">
                <legend>"Which way"</legend>
                <label><input type="radio" name="rename-way" data-testid="to-device" checked=move || a.direction.get() == Direction::ToDevice
                    on:change=move |_| choose(Direction::ToDevice) />" for a device (BioStar2_...)"</label>
                <label><input type="radio" name="rename-way" data-testid="to-server" checked=move || a.direction.get() == Direction::ToServer
                    on:change=move |_| choose(Direction::ToServer) />" back to the server's name (BioStarX_...)"</label>
            </fieldset>
            {move || rename_body(state)}
        </div>
    }
}

/// What the rename panel offers for the listed file and the chosen way.
fn rename_body(state: AppState) -> impl IntoView {
    let a = state.archive;
    let view = a.view.get()?;
    let index = a.listed.get()?.0;
    let direction = a.direction.get();
    let Some(target) = data_file_name(&view.name, direction) else {
        return Some(view! { <p class="warning">"This name does not follow BioStarX_YYYYMMDD_HHMMSS.tgz, so bioport cannot tell the device's name: rename it by hand."</p> }.into_any());
    };
    let dropped = dropped_from_name(&view.name).map(|d| format!("The new name {target}: {d}."));
    let (damaged, risky, plain_tar) = (view.damaged, view.unsafe_entries, view.not_compressed);
    let repack = view.repackable && !plain_tar;
    let archive_warning = archive_warning(&view);
    // The name has the pattern (a target was found), so an error is an impossible time,
    // which the CLI's rename refuses without --anyway too.
    let impossible_time = export_time(&view.name).is_err();
    let warned = archive_warning.is_some() || impossible_time;
    let consent = risky || impossible_time;
    let blocked = move || warned && !a.rename_damaged.get();
    let carrying = view.carrying(direction);
    let plain_name = target.clone();
    let same = target == view.name;
    Some(view! {
        {same.then(|| view! { <p class="muted">{format!("The file is already named {target}; a download gives it under the same name.")}</p> })}
        {dropped.map(|d| view! { <p class="muted" data-testid="name-dropped">{d}</p> })}
        {warned.then(|| view! {
            <div class="notes" data-testid="damaged-warning">
                {archive_warning.map(|w| view! { <p class="error">{w}</p> })}
                {impossible_time.then(|| view! {
                    <p class="error" data-testid="name-time-warning">{format!("The name's export time (above) {IMPOSSIBLE_TIME_ADVICE}.")}</p>
                })}
                <label><input type="checkbox" data-testid="rename-anyway" on:change=move |ev| a.rename_damaged.set(event_target_checked(&ev)) />" I understand; rename it anyway"</label>
            </div>
        })}
        <p>
            {match (carrying, damaged) {
                _ if view.damaged && !view.damaged_past_entries => format!("{}. ", unread_paths_note(view.entries, carrying)),
                (0, _) => "No entry path carries the old name: the download is this file itself under the new name (no copy, instant at any size). ".to_string(),
                (_, true) => "Entry paths carry the old name too. A damaged archive is only renamed: the file itself downloads under the new name unchanged, its paths keeping the old name. ".to_string(),
                (_, false) => "Entry paths carry the old name too. Suprema's instructions rename the file only, so download it under the new name unchanged first; rewrite the paths only if a device still does not import it. ".to_string(),
            }}
            <button type="button" class="button primary" data-testid="download-renamed" disabled=blocked
                on:click=move |_| state.download_renamed(index, plain_name.clone())>{format!("Download as {target}")}</button>
        </p>
        {(carrying > 0 || plain_tar || repack).then(|| view! { <RewritePaths state=state target=target.clone() carrying=carrying damaged=damaged consent=consent plain_tar=plain_tar /> })}
    }.into_any())
}

/// Why the archive itself stands in the way of a plain rename, when it does.
fn archive_warning(view: &CatalogueView) -> Option<&'static str> {
    let repack = view.repackable && !view.not_compressed;
    Some(if view.damaged {
        "This archive is damaged (see the findings above). Renaming does not repair it: a device will likely refuse it. Export it again if you can."
    } else if view.not_compressed {
        "This is a tar archive that is not gzip-compressed, and a device expects a compressed .tgz: write it again compressed (below) rather than only renaming it."
    } else if repack {
        "This archive is not packed as BioStar writes it (see the findings above: bytes after its compressed data, several gzip members, or data after its end marker), so a device may refuse it. Renaming keeps it as it is: write it again as one gzip member (below), or export it again."
    } else if view.unsafe_entries {
        "Entries of this archive could be written outside the device's folder (see the findings above), which a BioStar export never does: it may not be a genuine export. Rename it only if you trust where it came from."
    } else {
        return None;
    })
}

/// The rewrite of entry paths: the names that change first, then the new archive. With
/// `consent`, it waits for "rename it anyway" (unsafe entries, an impossible export time).
#[component]
fn RewritePaths(
    state: AppState,
    target: String,
    carrying: u64,
    damaged: bool,
    consent: bool,
    plain_tar: bool,
) -> impl IntoView {
    let a = state.archive;
    // Offered beside the sentence that offers it; a plan found unreadable, or a warning
    // not yet accepted, hold it back.
    let held = move || {
        a.plan.with(|p| p.as_ref().is_some_and(|p| !p.readable))
            || consent && !a.rename_damaged.get()
    };
    view! {
        <div data-testid="rewrite">
            <p class="warning">{match carrying {
                0 if plain_tar => "No entry path carries the old name: writing it again only compresses it, every entry's bytes, mode and time unchanged.".to_string(),
                0 => "No entry path carries the old name: writing it again only packs it as one gzip member, every entry's bytes, mode and time unchanged.".to_string(),
                1 => "1 entry carries the old name in its path.".to_string(),
                n => format!("{n} entries carry the old name in their path."),
            }}</p>
            {if damaged {
                view! { <p class="error">"bioport does not write a damaged archive again: the new file would carry its damage. Export it again, or download it as it is (above)."</p> }.into_any()
            } else {
                view! {
                    <div class="row-of-fields">
                        <button type="button" class="button primary" data-testid="rewrite-paths" disabled=held
                            on:click=move |_| state.archive_rewrite(target.clone())>{match (carrying, plain_tar) { (0, true) => "Compress and download", (0, false) => "Write again and download", _ => "Rewrite paths and download" }}</button>
                        <button type="button" class="button" data-testid="show-plan" on:click=move |_| state.archive_plan()>"Show the names that change"</button>
                    </div>
                }.into_any()
            }}
            {move || a.plan.get().map(|p| {
                let more = p.renamed.saturating_sub(p.renames.len() as u64);
                view! {
                    <p>{format!("{} names change in {} entries; every entry's bytes, mode and time stay as they are.", p.renamed, p.entries)}</p>
                    <ul class="renames" data-testid="plan">
                        {p.renames.into_iter().map(|r| view! {
                            <li><code>{r.from}</code>" → "<code>{r.to}</code>{r.link.then_some(" (link target)")}</li>
                        }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! {
                        <p class="muted">{format!("The first {} are shown; the other {more} follow the same rule.", crate::protocol::archive::PLAN_ROWS)}</p>
                    })}
                    <Findings findings=p.findings testid="plan-findings" />
                }
            })}
            {move || a.rewritten.get().map(|r| {
                let how = match (r.storage, r.note) {
                    (Storage::Opfs, _) => "It was written to this browser's private file storage (OPFS) a slice at a time, so its size does not matter.".to_string(),
                    (Storage::Memory, note) => format!("OPFS is not available ({}): it was built in memory, which the browser may move to disk; very large files may fail.", note.unwrap_or_default()),
                };
                view! { <p class="good" data-testid="rewritten">{format!("Wrote {} entries with {} names rewritten. {how}", r.entries, r.renamed)}</p> }
            })}
        </div>
    }
}

/// The device check: model, firmware, and what `check_device` says.
#[component]
pub fn DevicePanel(state: AppState) -> impl IntoView {
    let a = state.archive;
    let notes = move || {
        let view = a.view.get()?;
        let model = a.model.get();
        (!model.is_empty()).then_some(())?;
        let facts = ArchiveFacts {
            file_size: view.file_size,
            oversized: view.oversized.clone(),
            photos: view.photos,
            users: None,
        };
        Some(check_device(&model, &a.firmware.get(), &view.name, &facts))
    };
    view! {
        <div class="panel" data-testid="device-panel">
            <h2>"Check the target device"</h2>
            <div class="row-of-fields">
                <label>"Model "
                    <select data-testid="device-model" on:change=move |ev| a.model.set(event_target_value(&ev))>
                        <option value="" selected=move || a.model.get().is_empty()>"choose..."</option>
                        {DEVICE_MODELS.iter().map(|m| view! {
                            <option value=m.name selected=move || a.model.get() == m.name>{m.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Firmware "
                    <input type="text" data-testid="device-firmware" placeholder="1.9.0" prop:value=move || a.firmware.get()
                        on:input=move |ev| a.firmware.set(event_target_value(&ev)) />
                </label>
            </div>
            {move || notes().map(|notes| view! {
                <ul class="device-notes" data-testid="device-notes">
                    {notes.into_iter().map(|n| {
                        let class = match n.severity {
                            Severity::Problem => "error",
                            Severity::Warning => "warning",
                            Severity::Reminder => "reminder",
                            Severity::Fine => "good",
                        };
                        view! { <li class=class>{n.message}</li> }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// Compare two opened data files entry by entry.
#[component]
pub fn ComparePanel(state: AppState) -> impl IntoView {
    let a = state.archive;
    // The last two data files opened are picked at once, in the order their names give
    // (said below), whichever came first.
    Effect::new(move |_| {
        let files = state.data_files();
        if let [.., x, y] = files.as_slice() {
            if a.compare_pick.get() == (None, None) {
                let (first, second) = match compare_order(&x.1, &y.1) {
                    Ordering::Greater => (y.0, x.0),
                    _ => (x.0, y.0),
                };
                a.compare_pick.set((Some(first), Some(second)));
            }
        }
    });
    let pick = move |first: bool, value: String| {
        let v = value.parse::<usize>().ok();
        a.compare_pick
            .update(|p| if first { p.0 = v } else { p.1 = v });
    };
    let chooser = move |first: bool| {
        let current = move || {
            let p = a.compare_pick.get();
            if first {
                p.0
            } else {
                p.1
            }
        };
        view! {
            <select data-testid=if first { "compare-first" } else { "compare-second" } on:change=move |ev| pick(first, event_target_value(&ev))>
                <option value="" selected=move || current().is_none()>"choose..."</option>
                {move || state.data_files().into_iter().map(|(i, n)| view! {
                    <option value=i.to_string() selected=move || current() == Some(i)>{n}</option>
                }).collect_view()}
            </select>
        }
    };
    view! {
        <div class="panel" data-testid="compare-panel">
            <h2>"Compare two data files"</h2>
            <p class="muted">{move || match state.data_files().len() {
                0 | 1 => "Add a second data file above, then pick both",
                _ => "Pick the two data files to compare",
            }}": entries are matched by path (BioStarX_ and BioStar2_ of the same export time taken as one) and compared by SHA-256."</p>
            <p class="muted" data-testid="compare-order">"Two data files are picked at once by the export time in their names, whatever order they came in: the older first, as the one before; of the same time, the server's BioStarX_ file first and its BioStar2_ copy second."</p>
            <div class="row-of-fields">
                <label>"First "{chooser(true)}</label>
                <label>"Second "{chooser(false)}</label>
                <button type="button" class="button" data-testid="compare" on:click=move |_| state.archive_compare()>"Compare"</button>
            </div>
            {move || a.comparison.get().map(|c| view! { <ComparisonResult view=c /> })}
        </div>
    }
}

#[component]
fn ComparisonResult(view: ComparisonView) -> impl IntoView {
    let counts = [
        ("added", view.added),
        ("removed", view.removed),
        ("changed", view.changed),
        ("same", view.same),
    ];
    let side = |s: &SideRow| format!("{} ({} bytes, {})", s.path, s.size, s.sha256);
    let list = |id: &'static str, title: String, items: Vec<String>, count: u64| {
        (count > 0).then(|| view! {
            <h3>{title}</h3>
            <ul data-testid=format!("compare-{id}")>{items.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
            {(count > COMPARE_ROWS as u64).then(|| view! { <p class="muted">"Only the first 1,000 are shown."</p> })}
        })
    };
    let added: Vec<String> = view.added_rows.iter().map(side).collect();
    let removed: Vec<String> = view.removed_rows.iter().map(side).collect();
    let changed: Vec<String> = view
        .changed_rows
        .iter()
        .map(|(x, y)| {
            let path = match x.path == y.path {
                true => x.path.clone(),
                false => format!("{} (now {})", x.path, y.path),
            };
            format!(
                "{path}: {} bytes → {} bytes ({} → {})",
                x.size, y.size, x.sha256, y.sha256
            )
        })
        .collect();
    view! {
        {view.export_folders.map(|note| view! { <p class="muted" data-testid="compare-export-folders">{note}</p> })}
        <p class=if view.incomplete.is_some() { "error" } else if view.identical { "good" } else { "warning" } data-testid="compare-verdict">{view.verdict.clone()}</p>
        {view.across_rename.map(|note| view! { <p class="muted" data-testid="compare-rename">{note}</p> })}
        <dl class="totals" data-testid="compare-counts">
            {counts.into_iter().map(|(label, n)| view! {
                <div class="total" data-total=label><dt>{label}</dt><dd>{n.to_string()}</dd></div>
            }).collect_view()}
        </dl>
        {list("added", "Only in the second".into(), added, view.added)}
        {list("removed", "Only in the first".into(), removed, view.removed)}
        {list("changed", "Changed".into(), changed, view.changed)}
        <Findings findings=named(&view.first, view.findings_first) testid="compare-findings-first" />
        <Findings findings=named(&view.second, view.findings_second) testid="compare-findings-second" />
    }
}

/// Findings with the name of the file they are in before each, as the CLI prints them.
fn named(name: &str, findings: Vec<FindingRow>) -> Vec<FindingRow> {
    let name_each = |f: FindingRow| FindingRow {
        text: format!("{name}: {}", f.text),
        ..f
    };
    findings.into_iter().map(name_each).collect()
}
