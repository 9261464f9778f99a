//! The data file screen's reading side: which file, its export time, totals, findings,
//! the virtual entry table and the preview of one entry.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::archive::catalogue::{CatalogueView, EntryRow, FindingRow, CATALOGUE_BUDGET};
use crate::archive::{device_name_for_data_file, export_time};
use crate::protocol::archive::PreviewBody;
use crate::text::grouped;

use super::actions::{ComparePanel, DevicePanel, RenamePanel};
use super::{row_px, AppState};

/// The whole data file screen (shown in the data file workflow).
#[component]
pub fn DataFileScreen(state: AppState) -> impl IntoView {
    let a = state.archive;
    // List the chosen file (the newest by default) once no other job runs.
    Effect::new(move |_| {
        let files = state.data_files();
        let busy = state.job.with(|j| j.is_some());
        let selected = a.selected.get();
        let Some((last, _)) = files.last().cloned() else {
            return;
        };
        if selected.is_none_or(|s| !files.iter().any(|f| f.0 == s)) {
            a.selected.set(Some(last));
            return;
        }
        let listed = a.listed.with(|l| l.map(|l| l.0));
        if !busy && listed != selected {
            if let Some(s) = selected {
                state.archive_list(s, false);
            }
        }
    });
    view! {
        <section class="archive" data-testid="data-file-screen">
            <FileChoice state=state />
            {move || (a.view.with(Option::is_none) && state.job.with(Option::is_none)).then(|| {
                a.listed.get().map(|(file, _)| view! {
                    <p class="muted">"The listing is not here (the reading was cancelled or failed). "
                        <button type="button" class="button" data-testid="read-again" on:click=move |_| state.archive_list(file, false)>"Read it again"</button>
                    </p>
                })
            })}
            {move || a.view.get().map(|v| view! {
                <ListingSummary state=state view=v />
                <EntryTable state=state />
                <PreviewPanel state=state />
                <RenamePanel state=state />
                <DevicePanel state=state />
            })}
            <ComparePanel state=state />
        </section>
    }
}

/// Which data file is on screen, and what its name says.
#[component]
fn FileChoice(state: AppState) -> impl IntoView {
    let a = state.archive;
    let name = move || {
        let selected = a.selected.get()?;
        state
            .data_files()
            .into_iter()
            .find(|f| f.0 == selected)
            .map(|f| f.1)
    };
    view! {
        {move || (state.data_files().len() > 1).then(|| view! {
            <label class="row-of-fields">"Data file shown: "
                <select data-testid="archive-file" on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<usize>() { a.selected.set(Some(i)); }
                }>
                    {state.data_files().into_iter().map(|(i, n)| view! {
                        <option value=i.to_string() selected=move || a.selected.get() == Some(i)>{n}</option>
                    }).collect_view()}
                </select>
            </label>
        })}
        {move || name().map(|n| match export_time(&n) {
            Ok(t) => view! {
                <p class="good" data-testid="export-time">{format!("Exported {t} (server time), as its name {n} says.")}</p>
            }.into_any(),
            Err(why) => {
                let what = match device_name_for_data_file(&n) {
                    Some(_) => "The date and time in the name are impossible",
                    None => "The name is not a data file name",
                };
                view! { <p class="warning" data-testid="name-flag">{format!("{what}: {why}.")}</p> }.into_any()
            }
        })}
    }
}

/// Totals, damage, findings and the SHA-256 action.
#[component]
fn ListingSummary(state: AppState, view: CatalogueView) -> impl IntoView {
    let a = state.archive;
    let hash = move |_| {
        if let Some((file, _)) = a.listed.get_untracked() {
            state.archive_list(file, true);
        }
    };
    let problems = view.findings.iter().any(|f| !f.info);
    let status = if view.damaged_past_entries {
        "The archive is damaged past its last entry (see the finding below): every entry was read, none is missing, but a device will likely refuse a damaged file. Copy it again from where it was exported."
    } else if view.damaged {
        "The archive is damaged: reading stopped at the finding below. A device will likely refuse it."
    } else if !problems {
        "The archive is whole: every gzip checksum and length, every tar header checksum and every entry size checked out."
    } else {
        "The archive reads to its end, with the findings below."
    };
    view! {
        <div class="panel" data-testid="listing">
            <h2>"Entries"</h2>
            <p class=if view.damaged { "error" } else if !problems { "good" } else { "warning" } data-testid="archive-status">{status}</p>
            <dl class="totals" data-testid="archive-totals">
                {view.totals.iter().map(|(label, n)| view! {
                    <div class="total" data-total=label.clone()><dt>{label.clone()}</dt><dd>{n.to_string()}</dd></div>
                }).collect_view()}
            </dl>
            <p class="muted">{format!(
                "{} bytes as stored, {} bytes uncompressed, {}. The entries' contents are encrypted and undocumented: bioport checks the container and never decodes them.",
                grouped(view.file_size), grouped(view.tar_bytes),
                crate::text::plural(u64::from(view.gzip_members), "gzip member", "gzip members")
            )}</p>
            <Findings findings=view.findings.clone() testid="findings" />
            {view.cut_off.clone().map(|c| view! {
                <p class="error" data-testid="cut-entry">{format!(
                    "Cut off: {}, {} of the {} bytes its header says were read before the archive ends. It is not in the list below or the totals above.",
                    c.path, grouped(c.read), grouped(c.size)
                )}</p>
            })}
            {(view.unlisted > 0).then(|| view! { <p class="warning" data-testid="unlisted">{unlisted_text(&view)}</p> })}
            {if view.hashed {
                view! { <p class="muted" data-testid="hashed">"SHA-256 of every entry shown as sha256sum prints it."</p> }.into_any()
            } else {
                view! { <button type="button" class="button" data-testid="compute-sha256" on:click=hash>"Compute SHA-256 of every entry"</button> }.into_any()
            }}
        </div>
    }
}

/// Why the list stops short of the entries counted.
fn unlisted_text(view: &CatalogueView) -> String {
    let budget = CATALOGUE_BUDGET >> 20;
    format!(
        "The list below shows the first {} entries. The other {} would take more than the {budget} MiB this page keeps a list in, so they were verified and counted in the totals above but are not listed. On the command line, `bioport inspect {} --entries` prints every entry.",
        view.entries.saturating_sub(view.unlisted), view.unlisted, view.name
    )
}

/// A list of findings with the byte each is at.
#[component]
pub fn Findings(findings: Vec<FindingRow>, testid: &'static str) -> impl IntoView {
    (!findings.is_empty()).then(|| view! {
        <ul class="findings" data-testid=testid>
            {findings.into_iter().map(|f| view! {
                <li class=if f.stops { "error" } else if f.info { "muted" } else { "warning" } data-byte=f.byte.to_string()>{f.text}</li>
            }).collect_view()}
        </ul>
    })
}

/// The virtual entry table: only the rows near the scroll position are in the page.
#[component]
fn EntryTable(state: AppState) -> impl IntoView {
    let a = state.archive;
    let total = move || a.rows.with(|r| r.as_ref().map_or(0, |r| r.total));
    let on_scroll = move |ev: leptos::ev::Event| {
        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
            a.scroll_top.set(f64::from(el.scroll_top()));
            state.archive_ensure_rows(false);
        }
    };
    // The SHA-256 column is there once the entries are hashed: the table fits a laptop's
    // window without it.
    let hashed = move || a.view.with(|v| v.as_ref().is_some_and(|v| v.hashed));
    let heads = [
        ("num", "#"),
        ("path", "Path"),
        ("", "Type"),
        ("num", "Size"),
        ("mode", "Mode"),
        ("time", "Modified (UTC)"),
        ("content", "Content"),
        ("act", "View"),
        ("sha", "SHA-256"),
    ];
    view! {
        <div class="grid entry-grid" role="grid" data-testid="entries" aria-rowcount=move || total().to_string()
            tabindex="0" on:scroll=on_scroll>
            <div class="grid-head" role="row">
                {move || heads.iter().filter(|(class, _)| hashed() || *class != "sha").map(|(class, h)| view! { <span class=format!("cell {class}") role="columnheader">{*h}</span> }).collect_view()}
            </div>
            <div class="grid-body" style:height=move || row_px(total())>
                {move || a.rows.get().map(|r| view! {
                    <div class="grid-window" style:transform=format!("translateY({})", row_px(r.start))>
                        {r.rows.into_iter().map(|row| view! { <EntryLine state=state row=row hashed=hashed() /> }).collect_view()}
                    </div>
                })}
            </div>
        </div>
    }
}

#[component]
fn EntryLine(state: AppState, row: EntryRow, hashed: bool) -> impl IntoView {
    let index = row.index;
    let kind = match &row.link {
        Some(target) => format!("{} → {target}", row.kind),
        None => row.kind.clone(),
    };
    let action = if row.photo { "Thumbnail" } else { "Hex" };
    let (path, path_title, path_data) = (row.path.clone(), row.path.clone(), row.path);
    let kind_title = kind.clone();
    view! {
        <div class="grid-row" role="row" data-testid="entry" data-path=path_data>
            <span class="cell num" role="gridcell">{(index + 1).to_string()}</span>
            <span class="cell path" role="gridcell" title=path_title data-testid="entry-path">{path}</span>
            <span class="cell" role="gridcell" title=kind_title>{kind}</span>
            <span class="cell num" role="gridcell" data-testid="entry-size">{row.size.to_string()}</span>
            <span class="cell mode" role="gridcell">{row.mode}</span>
            <span class="cell time" role="gridcell">{row.mtime}</span>
            <span class="cell content" role="gridcell">{row.content}</span>
            <span class="cell act" role="gridcell">
                // A folder or an empty file has no bytes to show.
                {(row.size > 0).then(|| view! {
                    <button type="button" class="button small" data-testid="entry-preview" on:click=move |_| state.archive_preview(index)>{action}</button>
                })}
            </span>
            {hashed.then(|| view! {
                <span class="cell sha" role="gridcell" data-testid="entry-sha256">{row.sha256.unwrap_or_else(|| "-".into())}</span>
            })}
        </div>
    }
}

/// A photo's thumbnail; one the browser cannot decode (photo bytes at its start only)
/// says so, as the face-folder screen does, instead of a broken image.
fn thumbnail(url: String, alt: String) -> AnyView {
    let broken = RwSignal::new(false);
    view! {
        <Show when=move || !broken.get()
            fallback=|| view! { <p class="muted" data-testid="thumbnail-none">"Not an image the browser can show: no preview."</p> }>
            <img class="thumbnail" data-testid="thumbnail" src=url.clone() alt=alt.clone() on:error=move |_| broken.set(true) />
        </Show>
    }
    .into_any()
}

/// One entry's thumbnail or hex view.
#[component]
fn PreviewPanel(state: AppState) -> impl IntoView {
    let a = state.archive;
    move || {
        a.preview.get().map(|p| {
        let title = format!("Entry {}: {} ({} bytes)", p.index + 1, p.path, p.size);
        let body = match (p.body, p.url) {
            (PreviewBody::Photo { .. }, Some(url)) => thumbnail(url, format!("Photo {}", p.path)),
            (PreviewBody::Hex { text, shown }, _) => view! {
                <p class="muted">{format!("The first {shown} bytes:")}</p>
                <pre class="hex" data-testid="hex-view">{text}</pre>
            }.into_any(),
            _ => view! { <p class="error">"The photo could not be shown."</p> }.into_any(),
        };
        view! {
            <div class="panel" data-testid="preview">
                <h3>{title}</h3>
                {body}
                <button type="button" class="button" on:click=move |_| a.set_preview(None)>"Close"</button>
            </div>
        }
    })
    }
}
