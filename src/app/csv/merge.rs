//! The workbench's merge panel: load the server's current export, see the counts, choose
//! per user to keep the server's values or overwrite them, a page of differences at a time.

use leptos::prelude::*;

use crate::protocol::{CsvOp, MERGE_PAGE};
use crate::text::plural;
use crate::workbench::merge::MergeChoice;
use crate::workbench::{MergeCountsView, MergeView, UserDiffView, WorkbookView};

use super::super::AppState;

/// The merge panel: the export's input, its counts, and the page of differences.
#[component]
pub fn MergePanel(state: AppState, view: WorkbookView) -> impl IntoView {
    let csv = state.csv;
    let loaded = view.merge.is_some();
    let stored = view.merge.clone();
    // After a keep/overwrite choice the merge answer is fresher than the view.
    let counts = move || {
        csv.merge
            .with(|m| m.as_ref().map(|m| m.counts.clone()))
            .or_else(|| stored.clone())
    };
    if loaded && csv.merge.get_untracked().is_none() {
        ask_page(state, 0);
    }
    view! {
        <details class="panel" open=loaded data-testid="merge-panel">
            <summary><h2>"Merge with the server's users"</h2>
                <span class="muted">" Load the server's current export: choose, per user, to keep what it holds or overwrite it."</span>
            </summary>
            <ExportInput state=state loaded=loaded />
            {move || counts().map(|m| view! { <MergeTotals m=m /> })}
            {move || csv.merge.get().map(|m| view! { <MergeDiffs state=state m=m /> })}
        </details>
    }
}

/// Asks the worker for the page of differences from `start`.
fn ask_page(state: AppState, start: usize) {
    state.csv_quick(
        CsvOp::MergePage {
            start,
            count: MERGE_PAGE,
        },
        &[],
    );
}

/// The button that loads the server's export (or another), and the one that removes it.
#[component]
fn ExportInput(state: AppState, loaded: bool) -> impl IntoView {
    let csv = state.csv;
    view! {
        <div class="row-of-fields">
            <input id="existing-file" class="visually-hidden" type="file" accept=".csv,.txt" data-testid="existing-input"
                on:change=move |ev| {
                    let files = super::super::files::input_files(&ev);
                    if !files.is_empty() {
                        csv.merge.set(None);
                        state.csv_long(CsvOp::LoadExisting { file: 0 }, &files, "Reading the export");
                    }
                }/>
            <label for="existing-file" class="button">{if loaded { "Load another export" } else { "Load the server's export" }}</label>
            {loaded.then(|| view! {
                <button type="button" class="button" on:click=move |_| { csv.merge.set(None); state.csv_quick(CsvOp::ClearExisting, &[]); }>"Remove it"</button>
            })}
        </div>
    }
}

/// The merge in numbers: the file's users, each counted once, then the server's others;
/// with the cards overwriting removes, the merge's problems and the export's notes.
#[component]
fn MergeTotals(m: MergeCountsView) -> impl IntoView {
    let c = m.counts;
    let items = [
        ("new", "New users written", m.new_written),
        (
            "overwritten",
            "Overwritten users written",
            m.overwritten_written,
        ),
        ("errors", "Left out for errors", m.left_out_errors),
        (
            "cards",
            "Left out: card held on the server",
            m.left_out_cards,
        ),
        (
            "skipped",
            "Rows left out of the merge (no user ID, or listed twice)",
            m.left_out_of_merge,
        ),
        ("kept", "Differ, kept as stored", u64::from(c.kept)),
        ("identical", "Already the same", u64::from(c.identical)),
        ("untouched", "Only on the server", u64::from(c.untouched)),
        ("import", "Rows in the import file", m.import_rows),
    ];
    let removed = u64::from(c.cards_removed);
    view! {
        <p class="muted">{format!("Export {}: {} rows.", m.existing_name, m.existing_rows)}</p>
        <dl class="totals" data-testid="merge-counts">
            {items.into_iter().map(|(id, label, n)| view! {
                <div class="total" data-testid=format!("merge-{id}")><dt>{label}</dt><dd>{n.to_string()}</dd></div>
            }).collect_view()}
        </dl>
        {(removed > 0).then(|| view! {
            <p class="error">{format!("Overwriting removes the stored card of {}: their csn is blank in the file.", plural(removed, "user", "users"))}</p>
        })}
        {(!m.problems.is_empty()).then(|| view! {
            <ul class="notes warning" data-testid="merge-problems">{m.problems.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
        })}
        {(!m.notes.is_empty()).then(|| view! {
            <ul class="notes">{m.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
        })}
    }
}

/// The default choice, the page of users who differ, and the buttons to the pages beside.
#[component]
fn MergeDiffs(state: AppState, m: MergeView) -> impl IntoView {
    let default = m.default;
    let choose = move |choice| state.csv_quick(CsvOp::MergeDefault { choice }, &[]);
    let prev = (m.start > 0).then(|| m.start.saturating_sub(MERGE_PAGE));
    let next = (m.start + MERGE_PAGE < m.total_diffs).then_some(m.start + MERGE_PAGE);
    let page_button = move |start: Option<usize>, label: &'static str| {
        start.map(|start| view! { <button type="button" class="button" on:click=move |_| ask_page(state, start)>{label}</button> })
    };
    view! {
        <fieldset class="row-of-fields">
            <legend>"For users the server already holds"</legend>
            <label><input type="radio" name="merge-default" checked=default == MergeChoice::Keep data-testid="merge-keep"
                on:change=move |_| choose(MergeChoice::Keep)/>" keep the server's user"</label>
            <label><input type="radio" name="merge-default" checked=default == MergeChoice::Overwrite data-testid="merge-overwrite"
                on:change=move |_| choose(MergeChoice::Overwrite)/>" overwrite with the file's row"</label>
        </fieldset>
        <p class="muted">{format!("{}; showing {} from {}.", plural(m.total_diffs as u64, "user differs", "users differ"), m.diffs.len(), m.start + 1)}</p>
        <ul class="diffs" data-testid="diffs">
            {m.diffs.into_iter().map(|d| view! { <UserDiff state=state d=d default=default /> }).collect_view()}
        </ul>
        <div class="row-of-fields">
            {page_button(prev, "Previous")}
            {page_button(next, "Next")}
        </div>
    }
}

/// The word for a choice, as the per-user select names it.
fn choice_word(choice: MergeChoice) -> &'static str {
    match choice {
        MergeChoice::Keep => "keep",
        MergeChoice::Overwrite => "overwrite",
    }
}

/// One user in both files: the choice for them, and the fields that differ.
#[component]
fn UserDiff(state: AppState, d: UserDiffView, default: MergeChoice) -> impl IntoView {
    let user_id = d.user_id.clone();
    let chosen = move |c: MergeChoice| d.overridden && d.choice == c;
    let on_change = move |ev| {
        let choice = match event_target_value(&ev).as_str() {
            "keep" => Some(MergeChoice::Keep),
            "overwrite" => Some(MergeChoice::Overwrite),
            _ => None,
        };
        let user_id = user_id.clone();
        state.csv_quick(CsvOp::MergeOverride { user_id, choice }, &[]);
    };
    view! {
        <li class="diff" data-user=d.user_id.clone()>
            <strong>{format!("User {}", d.user_id)}</strong>
            <label>" "
                <select aria-label=format!("Keep or overwrite user {}", d.user_id) on:change=on_change>
                    <option value="" selected=!d.overridden>{format!("default ({})", choice_word(default))}</option>
                    <option value="keep" selected=chosen(MergeChoice::Keep)>"keep"</option>
                    <option value="overwrite" selected=chosen(MergeChoice::Overwrite)>"overwrite"</option>
                </select>
            </label>
            <table class="changes">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Server now"</th><th scope="col">"File"</th></tr></thead>
                <tbody>
                    {d.changes.into_iter().map(|c| view! {
                        <tr class:removes=c.removes_card>
                            <th scope="row">{c.field}</th>
                            <td>{c.before.unwrap_or_default()}</td>
                            <td>{c.after}{c.removes_card.then_some(" (removes the stored card)")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </li>
    }
}
