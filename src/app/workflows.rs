//! The three workflows. Each shows the files opened for it, what the core found in them,
//! and the actions its own feature offers.

use crate::text::plural;
use leptos::prelude::*;

use crate::inspect::Summary;
use crate::recognize::Workflow;

use super::{AppState, Entry, FilePicker};

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A workflow screen: its files, their summaries, and its actions.
#[component]
pub fn WorkflowView(state: AppState, workflow: Workflow) -> impl IntoView {
    let mine = move || {
        state
            .entries
            .get()
            .into_iter()
            .filter(|e| e.workflow() == Some(workflow))
            .collect::<Vec<_>>()
    };
    let pending = move || {
        state
            .entries
            .get()
            .iter()
            .filter(|e| e.summary.is_none())
            .count()
    };
    view! {
        <section class="workflow" data-testid=format!("workflow-{}", workflow.id())>
            <div class="workflow-head">
                <h1>{workflow.title()}</h1>
                <button type="button" class="button" data-testid="start-over" on:click=move |_| state.start_over()>
                    "Start over"
                </button>
            </div>
            <nav class="tabs" aria-label="Workflows">
                {Workflow::ALL.iter().map(|&w| view! {
                    <button
                        type="button"
                        class="tab"
                        aria-current=move || (w == workflow).then_some("page")
                        on:click=move |_| state.workflow.set(Some(w))
                    >{w.title()}</button>
                }).collect_view()}
            </nav>
            <FilePicker
                state=state
                label="Add files"
                hint=format!("Takes {}.", workflow.accepts())
                id="workflow-files"
            />
            {move || (pending() > 0).then(|| view! {
                <p class="muted">{format!("Reading {}...", plural(pending() as u64, "file", "files"))}</p>
            })}
            {move || {
                let files = mine();
                if files.is_empty() && pending() == 0 {
                    view! {
                        <p class="empty" data-testid="no-files">
                            {format!("No files open here yet. This workflow takes {}.", workflow.accepts())}
                        </p>
                    }.into_any()
                } else {
                    files.into_iter()
                        .filter_map(|e| e.summary.clone().map(|s| (e, s)))
                        .map(|(e, s)| view! { <FileCard state=state entry=e summary=s workflow=workflow /> })
                        .collect_view()
                        .into_any()
                }
            }}
            // Said before the workflow's screen, which can be long: a file left unread is
            // not to be missed below it.
            <UnknownFiles state=state />
            {(workflow == Workflow::BiostarCsv).then(|| view! { <super::csv::Workbench state=state /> })}
            {(workflow == Workflow::DataFile).then(|| view! { <super::archive::DataFileScreen state=state /> })}
            {(workflow == Workflow::TimeClock).then(|| view! { <super::clock::ClockScreen state=state /> })}
            <OtherWorkflows state=state workflow=workflow />
        </section>
    }
}

/// The files opened that no workflow reads, each with the reason.
#[component]
fn UnknownFiles(state: AppState) -> impl IntoView {
    let unknown = move || {
        state
            .entries
            .get()
            .into_iter()
            .filter(Entry::is_unknown)
            .collect::<Vec<_>>()
    };
    move || {
        let u = unknown();
        (!u.is_empty()).then(|| view! {
            <div class="unknown" data-testid="unknown-files">
                <h2>"Files bioport does not read"</h2>
                <ul>
                    {u.into_iter().map(|e| {
                        let reason = e.summary.map(|s| s.recognition.reason).unwrap_or_default();
                        view! { <li><strong>{e.name}</strong>": "{reason}</li> }
                    }).collect_view()}
                </ul>
            </div>
        })
    }
}

/// A button for each other workflow that has files open, with their count.
#[component]
fn OtherWorkflows(state: AppState, workflow: Workflow) -> impl IntoView {
    let others = move || {
        let entries = state.entries.get();
        Workflow::ALL
            .iter()
            .copied()
            .filter(|&w| w != workflow)
            .filter_map(|w| {
                let n = entries.iter().filter(|e| e.workflow() == Some(w)).count();
                (n > 0).then_some((w, n))
            })
            .collect::<Vec<_>>()
    };
    move || {
        let o = others();
        (!o.is_empty()).then(|| view! {
            <div class="others">
                {o.into_iter().map(|(w, n)| view! {
                    <button type="button" class="button" on:click=move |_| state.workflow.set(Some(w))>
                        {format!("{} open in {}: show", plural(n as u64, "file", "files"), w.title())}
                    </button>
                }).collect_view()}
            </div>
        })
    }
}

/// One file's summary, with the actions its workflow offers for it.
#[component]
fn FileCard(state: AppState, entry: Entry, summary: Summary, workflow: Workflow) -> impl IntoView {
    let counts = summary
        .counts
        .iter()
        .map(|c| view! { <div class="count"><dt>{c.label.clone()}</dt><dd>{c.value.to_string()}</dd></div> })
        .collect_view();
    let notes = summary.recognition.notes.clone();
    let problems = summary.problems.clone();
    let more = summary.problem_count.saturating_sub(problems.len() as u64);
    let action = match workflow {
        // A data file's rename is on its screen, after the archive is verified.
        Workflow::BiostarCsv => {
            let index = entry.index;
            let opened = move || state.csv.opened.get() == Some(index);
            Some(view! {
                <p class="action">
                    {move || if opened() {
                        view! { <span class="badge" data-testid="in-workbench">"Open in the workbench below"</span> }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button" data-testid="open-in-workbench" on:click=move |_| state.csv_open(index)>
                                "Open in the workbench"
                            </button>
                            " "
                            <button type="button" class="button" data-testid="use-as-existing" on:click=move |_| state.csv_use_as_existing(index)>
                                "Use as the server's current export (merge)"
                            </button>
                        }.into_any()
                    }}
                </p>
            }.into_any())
        }
        _ => None,
    };
    view! {
        <article class="file-card" data-testid="file-card" data-kind=format!("{:?}", summary.recognition.kind)>
            <h2>{entry.name.clone()}</h2>
            <p class="kind" data-testid="file-kind">
                {summary.recognition.kind.label()}" · "{human_size(summary.size)}
                {summary.reading.as_ref().map(|r| format!(
                    " · {} · {} · header on line {}",
                    r.encoding.label(), r.delimiter.label(), r.header_line
                ))}
            </p>
            <dl class="counts">{counts}</dl>
            {(!notes.is_empty()).then(|| view! {
                <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            })}
            {(!problems.is_empty()).then(|| view! {
                <details class="problems" open=true>
                    <summary>{plural(summary.problem_count, "problem", "problems")}</summary>
                    <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    {(more > 0).then(|| view! { <p>{format!("... and {more} more.")}</p> })}
                </details>
            })}
            {action}
        </article>
    }
}
