//! The BioStar user CSV workbench: reading options, the header row, column mapping, site
//! settings, the findings, a virtual-scrolled table with in-place editing, the merge with
//! an existing export, and the downloads. The workbook itself lives in the worker.

use std::collections::BTreeSet;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::formats::biostar_csv::Delimiter;
use crate::protocol::CsvOp;
use crate::text::{plural, TextEncoding};
use crate::workbench::validate::{
    ExpiryLimit, RowStatus, Rule, Severity, SiteSettings, UserIdType,
};
use crate::workbench::{
    ImportRows, MergeView, RowFilter, RowPage, RowQuery, RowView, RuleView, WorkbookView,
    WriteReport,
};

use super::faces::{FaceThumbs, FacesPanel, FacesState};
use super::grid_keys::{
    focus_cursor, focus_first, focus_table, focus_when_drawn, on_grid_keydown, tab_index, tab_stop,
    GridPlace, LEAD_COLUMNS,
};
use super::AppState;

mod merge;

use merge::MergePanel;

/// Height of one table row in CSS pixels (fixed, so the table can be virtual).
pub const ROW_HEIGHT: f64 = 34.0;
/// Rows drawn above and below the visible ones.
const OVERSCAN: usize = 15;
/// Rows asked of the worker at a time.
const PAGE_ROWS: usize = 90;

/// The workbench's signals.
#[derive(Clone, Copy)]
pub struct CsvState {
    /// The workbook as the worker last described it.
    pub view: RwSignal<Option<WorkbookView>>,
    /// The rows the table has.
    pub page: RwSignal<Option<RowPage>>,
    /// Which rows the table shows.
    pub filter: RwSignal<RowFilter>,
    /// The table's scroll position in pixels.
    pub scroll_top: RwSignal<f64>,
    /// The merge with the server's export, when one is loaded.
    pub merge: RwSignal<Option<MergeView>>,
    /// What the last download held.
    pub written: RwSignal<Option<WriteReport>>,
    /// Index of the opened file among the page's files.
    pub opened: RwSignal<Option<usize>>,
    /// Rows ticked for "export selected rows" (sheet indices).
    pub selected: RwSignal<BTreeSet<usize>>,
    /// The cell being edited: (sheet row, column).
    pub editing: RwSignal<Option<(usize, usize)>>,
    /// The row whose findings are shown in full.
    pub focus_row: RwSignal<Option<usize>>,
    /// The table's keyboard cursor (the grid's Tab stop), once a cell had the focus.
    pub cursor: RwSignal<Option<GridPlace>>,
    /// The cursor cell takes the focus when the rows it waits for are drawn.
    pub focus_pending: RwSignal<bool>,
    /// The face image folder.
    pub faces: FacesState,
}

impl CsvState {
    /// Empty workbench state.
    pub fn new() -> Self {
        CsvState {
            view: RwSignal::new(None),
            page: RwSignal::new(None),
            filter: RwSignal::new(RowFilter::All),
            scroll_top: RwSignal::new(0.0),
            merge: RwSignal::new(None),
            written: RwSignal::new(None),
            opened: RwSignal::new(None),
            selected: RwSignal::new(BTreeSet::new()),
            editing: RwSignal::new(None),
            focus_row: RwSignal::new(None),
            cursor: RwSignal::new(None),
            focus_pending: RwSignal::new(false),
            faces: FacesState::new(),
        }
    }

    /// Forgets the workbook (the worker's copy goes with the next open).
    pub fn clear(self) {
        self.view.set(None);
        self.page.set(None);
        self.merge.set(None);
        self.written.set(None);
        self.opened.set(None);
        self.selected.set(BTreeSet::new());
        self.editing.set(None);
        self.focus_row.set(None);
        self.cursor.set(None);
        self.focus_pending.set(false);
        self.faces.clear();
        self.filter.set(RowFilter::All);
        self.scroll_top.set(0.0);
    }
}

impl Default for CsvState {
    fn default() -> Self {
        Self::new()
    }
}

/// The first visible row for a scroll position.
pub fn first_visible(scroll_top: f64) -> usize {
    (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize
}

/// The first row to ask the worker for, so a virtual table scrolled to `scroll_top` has
/// its visible rows; None when the rows held (`start`, how many, of `total`) cover them.
pub fn rows_to_ask(scroll_top: f64, held: Option<(usize, usize, usize)>) -> Option<usize> {
    let first = first_visible(scroll_top);
    let want_start = first.saturating_sub(OVERSCAN);
    let want_end = first + 40 + OVERSCAN;
    let covered = held.is_some_and(|(start, len, total)| {
        let end = start + len;
        start <= want_start && (want_end <= end || end >= total)
    });
    (!covered).then_some(want_start)
}

impl AppState {
    /// Asks the worker for the rows around the table's scroll position, if it lacks them.
    pub fn csv_ensure_rows(self, force: bool) {
        let csv = self.csv;
        let scroll_top = csv.scroll_top.get_untracked();
        let held =
            (csv.page).with_untracked(|p| p.as_ref().map(|p| (p.start, p.rows.len(), p.total)));
        let Some(want_start) = rows_to_ask(scroll_top, held.filter(|_| !force)) else {
            return;
        };
        let query = RowQuery {
            start: want_start,
            count: PAGE_ROWS,
            filter: csv.filter.get_untracked(),
        };
        self.csv_quick(CsvOp::Rows { query }, &[]);
    }

    /// Applies a new row filter and shows its first rows.
    pub fn csv_set_filter(self, filter: RowFilter) {
        self.csv.filter.set(filter);
        self.csv.cursor.set(None);
        self.csv.scroll_top.set(0.0);
        if let Some(grid) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("csv-grid"))
        {
            grid.set_scroll_top(0);
        }
        self.csv_ensure_rows(true);
    }

    /// Replaces rows the worker re-checked after an edit.
    pub fn csv_replace_rows(self, rows: Vec<RowView>) {
        self.csv.page.update(|p| {
            if let Some(p) = p {
                for new in rows {
                    if let Some(old) = p.rows.iter_mut().find(|r| r.row == new.row) {
                        *old = new;
                    }
                }
            }
        });
    }
}

/// The whole workbench (shown once a CSV is open). The rows panel stays mounted while the
/// workbook changes, so the table keeps its scroll position across edits.
#[component]
pub fn Workbench(state: AppState) -> impl IntoView {
    let csv = state.csv;
    view! {
        <section class="workbench" data-testid="workbench" aria-label="CSV workbench">
            {move || csv.view.get().map(|v| view! {
                <SummaryPanel state=state view=v.clone() />
                <ReadingPanel state=state view=v.clone() />
                <MappingPanel state=state view=v.clone() />
                <SettingsPanel state=state settings=v.settings />
            })}
            <Show when=move || csv.view.with(|v| v.is_some())>
                <RowsPanel state=state />
            </Show>
            {move || csv.view.get().map(|v| view! {
                <FacesPanel state=state view=v.clone() />
                <MergePanel state=state view=v.clone() />
                <DownloadPanel state=state view=v />
            })}
        </section>
    }
}

#[component]
fn SummaryPanel(state: AppState, view: WorkbookView) -> impl IntoView {
    let t = view.totals;
    let cards = [
        ("rows", "Rows", t.rows, ""),
        ("valid", "No findings", t.valid, "good"),
        ("errors", "With errors", t.with_errors, "bad"),
        ("warnings", "With warnings only", t.with_warnings, "warn"),
        ("mobile", "Mobile cards to issue", t.mobile_cards, ""),
    ];
    let rules = view.rules.clone();
    view! {
        <div class="panel summary" data-testid="csv-summary">
            <h2>{view.name.clone()}</h2>
            <dl class="totals">
                {cards.into_iter().map(|(id, label, n, class)| view! {
                    <div class=format!("total {class}") data-testid=format!("total-{id}")>
                        <dt>{label}</dt><dd>{n.to_string()}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {(t.mobile_cards > 0).then(|| view! {
                <p class="note">{format!(
                    "Importing issues {}: on a regular site {} one Airfob credit. Ignore the csn_mobile column to issue none.",
                    plural(u64::from(t.mobile_cards), "mobile card", "mobile cards"),
                    if t.mobile_cards == 1 { "it costs" } else { "each costs" }
                )}</p>
            })}
            {(!view.conflicts.is_empty()).then(|| view! {
                <ul class="errors" data-testid="conflicts">
                    {view.conflicts.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}
                </ul>
            })}
            {(!view.file_findings.is_empty()).then(|| view! {
                <ul class="errors" data-testid="file-findings">
                    {view.file_findings.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}
                </ul>
            })}
            {view.faces_unchecked.then(|| view! {
                <p class="note" data-testid="faces-unchecked">"The face image cells are not checked yet: add the folder of images under Face images."</p>
            })}
            {(!view.notes.is_empty()).then(|| view! {
                <ul class="notes">{view.notes.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
            })}
            {(!rules.is_empty()).then(|| view! {
                <h3>"Findings by rule"</h3>
                <ul class="rules" data-testid="rule-counts">
                    {rules.into_iter().map(|r| {
                        let id = r.id.clone();
                        view! {
                            <li class=if r.severity == Severity::Error { "rule error" } else { "rule warning" }>
                                <button type="button" class="link" data-rule=r.id.clone()
                                    on:click=move |_| state.csv_set_filter(RowFilter::Rule(id.clone()))>
                                    {format!("{} ({}): {}", r.title, if r.severity == Severity::Error { "error" } else { "warning" }, plural(u64::from(r.count), "cell", "cells"))}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn ReadingPanel(state: AppState, view: WorkbookView) -> impl IntoView {
    let current_enc = view.encoding;
    let current_delim = view.delimiter;
    let header_row = view.header_row;
    let preview = view.preview.clone();
    view! {
        <details class="panel" open={view.header_row > 0 || view.replacement_count > 0}>
            <summary><h2>"Reading"</h2>
                <span class="muted">{format!(
                    " {} · {} · header on line {}",
                    view.encoding.label(), view.delimiter.label(), view.header_line
                )}</span>
            </summary>
            <div class="row-of-fields">
                <label>"Encoding "
                    <select data-testid="encoding" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        state.csv_long(CsvOp::Reread { encoding: TextEncoding::from_id(&id), delimiter: None }, &[], "Reading again");
                    }>
                        {TextEncoding::all().iter().map(|e| view! {
                            <option value=e.id() selected=*e == current_enc>{e.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Delimiter "
                    <select data-testid="delimiter" on:change=move |ev| {
                        let delimiter = Delimiter::parse(&event_target_value(&ev));
                        state.csv_long(CsvOp::Reread { encoding: None, delimiter }, &[], "Reading again");
                    }>
                        {Delimiter::ALL.into_iter().map(|d| view! {
                            <option value=d.id() selected=d == current_delim>{d.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <p class="muted">{view.encoding_reason.clone()}" "{view.delimiter_reason.clone()}</p>
            {view.replacement_message.clone().map(|m| view! { <p class="warning" data-testid="replacements">{m}</p> })}
            {(!view.read_issues.is_empty()).then(|| view! {
                <ul class="warnings" data-testid="read-issues">
                    {view.read_issues.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}
                    {(view.read_issue_count > view.read_issues.len() as u64).then(|| view! {
                        <li>{format!("... and {} more", view.read_issue_count - view.read_issues.len() as u64)}</li>
                    })}
                </ul>
            })}
            <fieldset class="start-row">
                <legend>"Start import at row: which line holds the column names?"</legend>
                <div class="table-scroll">
                <table class="preview" data-testid="preview">
                    <tbody>
                        {preview.into_iter().map(|p| {
                            let row = p.row;
                            view! {
                                <tr class:header-row=row == header_row>
                                    <td>
                                        <input type="radio" name="header-row" id=format!("header-row-{row}")
                                            checked=row == header_row
                                            on:change=move |_| state.csv_long(CsvOp::HeaderRow { row }, &[], "Mapping columns")/>
                                        <label for=format!("header-row-{row}")>{format!("line {}", p.line)}</label>
                                    </td>
                                    {p.cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </fieldset>
        </details>
    }
}

#[component]
fn MappingPanel(state: AppState, view: WorkbookView) -> impl IntoView {
    let choices = view.field_choices.clone();
    let custom_name = RwSignal::new(String::new());
    view! {
        <details class="panel" open=true>
            <summary><h2>"Columns"</h2>
                <span class="muted">" Each column of the file and the BioStar field it fills. Change any of them."</span>
            </summary>
            <div class="table-scroll">
            <table class="mapping" data-testid="mapping">
                <thead><tr><th scope="col">"Column"</th><th scope="col">"Example"</th><th scope="col">"BioStar field"</th><th scope="col">"How"</th><th scope="col">"Note"</th></tr></thead>
                <tbody>
                    {view.columns.into_iter().map(|c| {
                        let column = c.index;
                        let current = c.target.clone().unwrap_or_default();
                        let select_id = format!("map-{column}");
                        let header = c.header.clone();
                        let how = format!("{:?}{}", c.how, if c.confidence > 0.0 && c.confidence < 1.0 { format!(" {:.0}%", c.confidence * 100.0) } else { String::new() });
                        view! {
                            <tr data-column=c.header.clone()>
                                <th scope="row"><label for=select_id.clone()>{c.header.clone()}</label></th>
                                <td class="sample">{c.sample.clone()}</td>
                                <td>
                                    <select id=select_id data-testid="map-select" on:change=move |ev| {
                                        let id = event_target_value(&ev);
                                        let field = (!id.is_empty()).then_some(id);
                                        state.csv_quick(CsvOp::Remap { column, field }, &[]);
                                    }>
                                        <option value="" selected=current.is_empty()>"Ignore this column"</option>
                                        {choices.iter().map(|f| view! {
                                            <option value=f.id.clone() selected=f.id == current>{f.label.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td>{how}</td>
                                <td>
                                    {c.note.clone()}
                                    {c.suggest_custom.then(|| {
                                        let name = header.clone();
                                        view! {
                                            " "
                                            <button type="button" class="button small" on:click=move |_| {
                                                state.csv_quick(CsvOp::AddCustomField { name: name.clone() }, &[]);
                                            }>{format!("Add \"{header}\" as a custom field")}</button>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <form class="row-of-fields" on:submit=move |ev| {
                ev.prevent_default();
                let name = custom_name.get_untracked().trim().to_string();
                if !name.is_empty() {
                    state.csv_quick(CsvOp::AddCustomField { name }, &[]);
                    custom_name.set(String::new());
                }
            }>
                <label>"Custom user field the site has "
                    <input type="text" prop:value=move || custom_name.get()
                        on:input=move |ev| custom_name.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="button">"Add field"</button>
                {(!view.custom_fields.is_empty()).then(|| view! {
                    <span class="muted">{format!("Declared: {}", view.custom_fields.join(", "))}</span>
                })}
            </form>
        </details>
    }
}

#[component]
fn SettingsPanel(state: AppState, settings: SiteSettings) -> impl IntoView {
    let send = move |s: SiteSettings| state.csv_quick(CsvOp::Settings { settings: s }, &[]);
    view! {
        <details class="panel">
            <summary><h2>"Site settings"</h2><span class="muted">" The rules depend on how the BioStar server is set up."</span></summary>
            <div class="row-of-fields">
                <label>"User IDs "
                    <select data-testid="setting-ids" on:change=move |ev| {
                        let mut s = settings;
                        s.user_id_type = if event_target_value(&ev) == "alphanumeric" { UserIdType::Alphanumeric } else { UserIdType::Numeric };
                        send(s);
                    }>
                        <option value="numeric" selected=settings.user_id_type == UserIdType::Numeric>"Numbers (1 to 4294967294)"</option>
                        <option value="alphanumeric" selected=settings.user_id_type == UserIdType::Alphanumeric>"Letters and numbers"</option>
                    </select>
                </label>
                <label>"Latest expiry "
                    <select data-testid="setting-expiry" on:change=move |ev| {
                        let mut s = settings;
                        s.expiry_limit = if event_target_value(&ev) == "2030" { ExpiryLimit::Y2030 } else { ExpiryLimit::Y2037 };
                        send(s);
                    }>
                        <option value="2037" selected=settings.expiry_limit == ExpiryLimit::Y2037>"2037-12-31 (date extension)"</option>
                        <option value="2030" selected=settings.expiry_limit == ExpiryLimit::Y2030>"2030-12-31"</option>
                    </select>
                </label>
            </div>
            <div class="row-of-fields">
                <label><input type="checkbox" checked=settings.dynamic_site on:change=move |ev| { let mut s = settings; s.dynamic_site = event_target_checked(&ev); send(s); }/>" Dynamic site (mobile dates required)"</label>
                <label><input type="checkbox" checked=settings.strict_names on:change=move |ev| { let mut s = settings; s.strict_names = event_target_checked(&ev); send(s); }/>" Strict name rule (live servers)"</label>
                <label><input type="checkbox" checked=settings.overwrite on:change=move |ev| { let mut s = settings; s.overwrite = event_target_checked(&ev); send(s); }/>" The import will overwrite existing users"</label>
                <label><input type="checkbox" checked=settings.spreadsheet_safe on:change=move |ev| { let mut s = settings; s.spreadsheet_safe = event_target_checked(&ev); send(s); }/>" Warn about cells a spreadsheet would run as formulas"</label>
            </div>
        </details>
    }
}

/// The row filter's rule choices: each rule with findings, and the rule chosen when its
/// last finding was fixed ("none left"), so the choice shown stays the one applied.
fn rule_options(rules: &[RuleView], chosen: &RowFilter) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = rules
        .iter()
        .map(|r| (r.id.clone(), r.title.clone()))
        .collect();
    if let RowFilter::Rule(id) = chosen {
        let gone = Rule::ALL.iter().find(|r| r.id() == id);
        if let Some(rule) = gone.filter(|_| !options.iter().any(|(i, _)| i == id)) {
            options.push((id.clone(), format!("{} (none left)", rule.title())));
        }
    }
    options
}

fn filter_value(f: &RowFilter) -> String {
    match f {
        RowFilter::All => "all".into(),
        RowFilter::WithFindings => "findings".into(),
        RowFilter::Errors => "errors".into(),
        RowFilter::Warnings => "warnings".into(),
        RowFilter::Rule(id) => format!("rule:{id}"),
        RowFilter::FaceImages => "faces".into(),
    }
}

fn filter_from(v: &str) -> RowFilter {
    match v {
        "findings" => RowFilter::WithFindings,
        "errors" => RowFilter::Errors,
        "warnings" => RowFilter::Warnings,
        "faces" => RowFilter::FaceImages,
        _ => v
            .strip_prefix("rule:")
            .map_or(RowFilter::All, |id| RowFilter::Rule(id.to_string())),
    }
}

#[component]
fn RowsPanel(state: AppState) -> impl IntoView {
    let csv = state.csv;
    let headers = Memo::new(move |_| {
        csv.view.with(|v| {
            v.as_ref().map_or_else(Vec::new, |v| {
                v.columns
                    .iter()
                    .map(|c| {
                        // The file's name on one line, the field it fills on the next.
                        let field = if c.target_label.is_empty() {
                            "ignored".to_string()
                        } else if c.target_label == c.header {
                            String::new()
                        } else {
                            format!("→ {}", c.target_label)
                        };
                        (c.header.clone(), field)
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let rules = Memo::new(move |_| {
        csv.view
            .with(|v| v.as_ref().map_or_else(Vec::new, |v| v.rules.clone()))
    });
    let total = move || csv.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let on_scroll = move |ev: leptos::ev::Event| {
        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
            csv.scroll_top.set(f64::from(el.scroll_top()));
            state.csv_ensure_rows(false);
        }
    };
    // Ask for the first rows once the panel is shown.
    state.csv_ensure_rows(true);
    let stop = tab_stop(csv);
    focus_when_drawn(csv);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        on_grid_keydown(csv, &ev, headers.with_untracked(Vec::len));
    };
    view! {
        <div class="panel rows">
            <div class="rows-head">
                <h2>"Rows"</h2>
                <label>"Show "
                    <select data-testid="row-filter" prop:value=move || filter_value(&csv.filter.get())
                        on:change=move |ev| state.csv_set_filter(filter_from(&event_target_value(&ev)))>
                        <option value="all">"all rows"</option>
                        <option value="findings">"rows with findings"</option>
                        <option value="errors">"rows with errors"</option>
                        <option value="warnings">"rows with warnings only"</option>
                        <option value="faces">"rows with face image findings"</option>
                        {move || rule_options(&rules.get(), &csv.filter.get()).into_iter().map(|(id, title)| view! {
                            <option value=format!("rule:{id}")>{format!("rule: {title}")}</option>
                        }).collect_view()}
                    </select>
                </label>
                <span class="muted" data-testid="row-count">{move || plural(total() as u64, "row", "rows")}</span>
            </div>
            <div id="csv-grid" class="grid" role="grid" aria-rowcount=move || total().to_string()
                aria-label="Rows of the file" data-testid="grid" tabindex="-1" on:scroll=on_scroll on:keydown=on_keydown>
                <div class="grid-head" role="row">
                    <span class="cell pick" role="columnheader">"✓"</span>
                    <span class="cell line" role="columnheader">"Line"</span>
                    {move || headers.get().into_iter().map(|(name, field)| {
                        let title = format!("{name} {field}");
                        view! {
                            <span class="cell" role="columnheader" title=title>
                                <span class="col-name">{name}</span>
                                <span class="col-field">{field}</span>
                            </span>
                        }
                    }).collect_view()}
                </div>
                <div class="grid-body" style:height=move || format!("{}px", total() as f64 * ROW_HEIGHT)>
                    {move || csv.page.get().map(|p| {
                        let start = p.start;
                        let width = headers.with_untracked(|h| h.len());
                        view! {
                            <div class="grid-window" style:transform=format!("translateY({}px)", start as f64 * ROW_HEIGHT)>
                                {p.rows.into_iter().enumerate().map(|(i, r)| view! {
                                    <GridRow state=state row=r width=width pos=start + i stop=stop />
                                }).collect_view()}
                            </div>
                        }
                    })}
                </div>
            </div>
            <RowDetail state=state />
        </div>
    }
}

#[component]
fn GridRow(
    state: AppState,
    row: RowView,
    width: usize,
    /// The row's position in the table as filtered.
    pos: usize,
    /// The grid's Tab stop.
    stop: Memo<GridPlace>,
) -> impl IntoView {
    let csv = state.csv;
    let sheet_row = row.row;
    let status_class = match row.status {
        RowStatus::Valid => "valid",
        RowStatus::Warnings => "warnings",
        RowStatus::Errors => "errors",
    };
    let cells: Vec<_> = (0..width).map(|col| CellView::of(&row, col)).collect();
    view! {
        <div class=format!("grid-row {status_class}") role="row" data-row=sheet_row.to_string() data-line=row.line.to_string()
            aria-rowindex=(pos + 2).to_string()
            class:focused=move || csv.focus_row.get() == Some(sheet_row)>
            <span class="cell pick" role="gridcell">
                <input type="checkbox" aria-label=format!("Select line {}", row.line)
                    data-pos=pos.to_string() data-ncol="0" tabindex=tab_index(stop, (pos, 0))
                    on:focus=move |_| csv.cursor.set(Some((pos, 0)))
                    prop:checked=move || csv.selected.with(|s| s.contains(&sheet_row))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        csv.selected.update(|s| { if on { s.insert(sheet_row); } else { s.remove(&sheet_row); } });
                    }/>
            </span>
            <button type="button" class="cell line" role="gridcell" title="Show this row's findings"
                data-pos=pos.to_string() data-ncol="1" tabindex=tab_index(stop, (pos, 1))
                on:focus=move |_| csv.cursor.set(Some((pos, 1)))
                on:click=move |_| csv.focus_row.set(Some(sheet_row))>
                {row.line.to_string()}
            </button>
            {cells.into_iter().map(|cell| view! { <GridCell state=state cell=cell sheet_row=sheet_row pos=pos stop=stop /> }).collect_view()}
        </div>
    }
}

/// One cell of a grid row as drawn: its text, its findings' class and title, and whether
/// it was edited.
struct CellView {
    /// The column.
    col: usize,
    /// The cell's text.
    text: String,
    /// Its CSS classes: `cell`, with `error` or `warning` for its worst finding.
    class: &'static str,
    /// Its tooltip: the findings' messages, else the text.
    title: String,
    /// Edited in the workbench.
    edited: bool,
}

impl CellView {
    /// Cell `col` of `row`.
    fn of(row: &RowView, col: usize) -> Self {
        let text = row.cells.get(col).cloned().unwrap_or_default();
        let findings: Vec<_> = row.findings.iter().filter(|f| f.col == Some(col)).collect();
        let class = if findings.iter().any(|f| f.severity == Severity::Error) {
            "cell error"
        } else if !findings.is_empty() {
            "cell warning"
        } else {
            "cell"
        };
        let title = if findings.is_empty() {
            text.clone()
        } else {
            let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
            messages.join("\n")
        };
        let edited = row.edited.contains(&col);
        CellView {
            col,
            text,
            class,
            title,
            edited,
        }
    }
}

/// A data cell: its text, or its editor while it is edited (a click, Enter or F2 opens it).
#[component]
fn GridCell(
    state: AppState,
    cell: CellView,
    sheet_row: usize,
    pos: usize,
    stop: Memo<GridPlace>,
) -> impl IntoView {
    let csv = state.csv;
    let CellView {
        col,
        text,
        class,
        title,
        edited,
    } = cell;
    let is_editing = move || csv.editing.get() == Some((sheet_row, col));
    let at = (pos, col + LEAD_COLUMNS);
    let open = move || {
        csv.focus_row.set(Some(sheet_row));
        csv.editing.set(Some((sheet_row, col)));
    };
    view! {
        <span class=class class:edited=edited role="gridcell" title=title data-col=col.to_string()
            data-pos=pos.to_string() data-ncol=at.1.to_string() tabindex=tab_index(stop, at)
            on:focus=move |_| csv.cursor.set(Some(at))
            on:click=move |_| open()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                // Enter or F2 on the cell itself (not in its editor) opens the editor.
                let on_cell = ev.target() == ev.current_target();
                if on_cell && matches!(ev.key().as_str(), "Enter" | "F2") {
                    ev.prevent_default();
                    open();
                    request_animation_frame(focus_cell_editor);
                }
            }>
            {move || if is_editing() {
                view! { <CellEditor state=state text=text.clone() sheet_row=sheet_row col=col at=at /> }.into_any()
            } else {
                view! { <span class="cell-text">{text.clone()}</span> }.into_any()
            }}
        </span>
    }
}

/// The editor of a cell: Enter (or leaving it) commits a changed value to the worker,
/// Escape cancels; either way the focus goes back to the cell.
#[component]
fn CellEditor(
    state: AppState,
    text: String,
    sheet_row: usize,
    col: usize,
    at: GridPlace,
) -> impl IntoView {
    let csv = state.csv;
    let original = text.clone();
    let commit = move |value: String| {
        csv.editing.set(None);
        let changed = value != original;
        if changed {
            state.csv_quick(
                CsvOp::Edit {
                    row: sheet_row,
                    col,
                    value,
                },
                &[],
            );
        }
        changed
    };
    let commit_key = commit.clone();
    // A text area, so a value's line breaks show (and can be taken out) instead of an
    // input silently joining its lines; Enter commits, Shift+Enter starts a new line.
    let lines = text.lines().count().clamp(1, 4);
    view! {
        <textarea class="cell-editor" data-testid="cell-editor" rows=lines.to_string()
            class:multi-line={lines > 1}
            aria-label=format!("Edit column {}", col + 1)
            autofocus=true
            prop:value=text
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" && !ev.shift_key() {
                    ev.prevent_default();
                    let changed = commit_key(event_target_value(&ev));
                    return_focus(csv, at, changed);
                } else if ev.key() == "Escape" {
                    csv.editing.set(None);
                    return_focus(csv, at, false);
                }
            }
            on:blur=move |ev| _ = commit(event_target_value(&ev))></textarea>
    }
}

/// Asks before the page is left (reload, close, another address) while cells edited in the
/// workbench would be lost: they live only in this tab until written.
pub fn guard_unsaved_edits(csv: CsvState) {
    let handler =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
            ev.prevent_default();
            let _ = js_sys::Reflect::set(&ev, &"returnValue".into(), &"".into());
        });
    let handler: js_sys::Function = handler.into_js_value().unchecked_into();
    Effect::new(move |_| {
        let edited = csv.view.with(|v| v.as_ref().is_some_and(|v| v.edits > 0));
        window().set_onbeforeunload(edited.then_some(&handler));
    });
}

/// Gives the focus back to the cell at `at` when its editor closes from the keyboard: at
/// once, and again when the rows come back redrawn after a `changed` value.
fn return_focus(csv: CsvState, at: GridPlace, changed: bool) {
    csv.cursor.set(Some(at));
    csv.focus_pending.set(changed);
    request_animation_frame(move || _ = focus_cursor(csv, true));
}

/// Puts the keyboard in the cell editor just opened (`autofocus` holds only at page load).
fn focus_cell_editor() {
    focus_first("[data-testid=cell-editor]");
}

#[component]
fn RowDetail(state: AppState) -> impl IntoView {
    let csv = state.csv;
    view! {
        {move || {
            let focus = csv.focus_row.get()?;
            let row = csv.page.with(|p| p.as_ref().and_then(|p| p.rows.iter().find(|r| r.row == focus).cloned()))?;
            let headers: Vec<String> = csv.view.with(|v| v.as_ref().map_or_else(Vec::new, |v| v.columns.iter().map(|c| c.header.clone()).collect()));
            Some(view! {
                <div class="row-detail" data-testid="row-detail" aria-live="polite">
                    <h3>{format!("Line {}", row.line)}</h3>
                    <FaceThumbs state=state row=row.clone() />
                    <ExtraCells state=state row=row.row cells=row.cells.get(headers.len()..).unwrap_or_default().to_vec() first=headers.len() />
                    {if row.findings.is_empty() {
                        view! { <p class="good">"No findings: this row imports as it is."</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {row.findings.into_iter().map(|f| {
                                    let col = f.col.and_then(|c| headers.get(c).cloned()).unwrap_or_else(|| "row".into());
                                    view! {
                                        <li class=if f.severity == Severity::Error { "error" } else { "warning" }>
                                            <strong>{col}": "</strong>{f.message}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            })
        }}
    }
}

/// The cells of a row past the header's last column, which the table has no column for:
/// each with its letter and a button deleting it.
#[component]
fn ExtraCells(state: AppState, row: usize, cells: Vec<String>, first: usize) -> impl IntoView {
    let filled: Vec<(usize, String)> = (first..)
        .zip(cells)
        .filter(|(_, v)| !v.is_empty())
        .collect();
    (!filled.is_empty()).then(|| view! {
        <div data-testid="extra-cells">
            <p class="warning">"Cells past the header's last column (the table has no column for them, and the server cannot tell their field):"</p>
            <ul>
                {filled.into_iter().map(|(col, value)| view! {
                    <li>
                        <strong>{format!("Column {}: ", crate::workbench::mapping::column_letter(col))}</strong>
                        <code>{value}</code>" "
                        <button type="button" class="button small" data-testid="delete-extra-cell"
                            on:click=move |_| state.csv_quick(CsvOp::Edit { row, col, value: String::new() }, &[])>"Delete"</button>
                    </li>
                }).collect_view()}
            </ul>
        </div>
    })
}

#[component]
fn DownloadPanel(state: AppState, view: WorkbookView) -> impl IntoView {
    let csv = state.csv;
    let errors = view.error_file_rows();
    let blocked = !view.conflicts.is_empty();
    let formulas = view.formula_note().filter(|_| errors > 0);
    // The rows the table's filter keeps, all of them, not only the page drawn.
    let shown = move || csv.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    view! {
        <div class="panel downloads" data-testid="downloads">
            <h2>"Files for BioStar"</h2>
            {blocked.then(|| view! { <p class="error">"Two columns are mapped to one field: resolve that under Columns before writing files."</p> })}
            <div class="row-of-fields">
                <button type="button" class="button primary" data-testid="download-import" disabled=blocked
                    on:click=move |_| state.csv_long(CsvOp::WriteImport { rows: ImportRows::ValidOnly }, &[], "Writing the import file")>
                    "Download the import file (rows without errors)"
                </button>
                <button type="button" class="button" data-testid="download-import-all" disabled=blocked
                    on:click=move |_| state.csv_long(CsvOp::WriteImport { rows: ImportRows::All }, &[], "Writing the import file")>
                    "Import file with all rows"
                </button>
                <button type="button" class="button" data-testid="download-errors" disabled=errors == 0
                    on:click=move |_| state.csv_long(CsvOp::WriteErrors, &[], "Writing the error file")>
                    {format!("Download the error file ({errors} {})", if errors == 1 { "row" } else { "rows" })}
                </button>
                <button type="button" class="button" data-testid="download-selected"
                    disabled=move || csv.selected.with(|s| s.is_empty())
                    title="Every ticked row, those the table's \"Show\" filter hides too, with the import file's columns"
                    on:click=move |_| {
                        let rows: Vec<usize> = csv.selected.get_untracked().into_iter().collect();
                        let filter = csv.filter.get_untracked();
                        state.csv_long(CsvOp::WriteRows { rows, filter }, &[], "Writing the selected rows");
                    }>
                    {move || format!("Export selected rows ({})", csv.selected.with(|s| s.len()))}
                </button>
                {move || csv.selected.with(|s| !s.is_empty()).then(|| view! {
                    <button type="button" class="button" data-testid="clear-selected"
                        on:click=move |_| {
                            csv.selected.set(BTreeSet::new());
                            // The button goes: the keyboard goes on in the table.
                            request_animation_frame(move || focus_table(csv));
                        }>"Clear the ticks"</button>
                })}
                <button type="button" class="button" data-testid="download-shown"
                    disabled=move || shown() == 0 || csv.filter.with(|f| *f == RowFilter::All)
                    title="Every row the table's \"Show\" filter keeps, with the import file's columns"
                    on:click=move |_| {
                        let filter = csv.filter.get_untracked();
                        state.csv_long(CsvOp::WriteShown { filter }, &[], "Writing the rows shown");
                    }>
                    {move || format!("Export the rows shown ({})", shown())}
                </button>
            </div>
            {formulas.map(|n| view! { <p class="warning" data-testid="formula-note">{n}</p> })}
            {move || csv.written.get().map(|w| view! {
                <p class="muted" data-testid="written">{format!("Wrote {}, {} bytes. {}", plural(w.rows, "row", "rows"), w.bytes, w.note)}</p>
            })}
        </div>
    }
}
