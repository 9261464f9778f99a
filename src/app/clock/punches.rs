//! The attendance log: its counts, a virtual table of punches (only the visible rows are
//! in the page) with filters, the repaired log and the punch CSV.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::clock::{AttlogView, PunchFilter, PunchRow};
use crate::formats::zk_attlog::BOM_NOTE;
use crate::protocol::ClockOp;
use crate::text::plural;

use super::{AppState, ROW_HEIGHT};

/// Tallest the grid's body gets: browsers cap an element's height (Firefox near 17.9
/// million pixels), so past this the scroll bar maps onto the rows in proportion.
const MAX_BODY_PX: f64 = 15_000_000.0;

/// True when `total` rows are too many to give each its own 34 pixels of scroll.
fn scaled(total: usize) -> bool {
    total as f64 * ROW_HEIGHT > MAX_BODY_PX
}

/// The first row in view at `scroll_top` of a grid whose viewport is `view_px` tall and
/// whose content (sticky header and body) is `content_px`: the end of the scroll range
/// shows the last rows whole, however many there are.
fn first_row(scroll_top: f64, view_px: f64, content_px: f64, total: usize) -> usize {
    if !scaled(total) {
        return (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
    }
    let range = (content_px - view_px).max(1.0);
    let header = (content_px - MAX_BODY_PX).max(0.0);
    let in_view = ((view_px - header) / ROW_HEIGHT).floor().max(0.0);
    let last_first = (total as f64 - in_view).max(0.0);
    ((scroll_top / range).clamp(0.0, 1.0) * last_first).round() as usize
}

/// Where the window of rows from `start` sits: at its own place, or (scaled) so that row
/// `first` is at the top of the view.
fn window_top(start: usize, first: usize, scroll_top: f64, total: usize) -> f64 {
    match scaled(total) {
        false => start as f64 * ROW_HEIGHT,
        true => scroll_top - first.saturating_sub(start) as f64 * ROW_HEIGHT,
    }
}

/// The status codes the filter offers, with their labels.
const STATUSES: [(u8, &str); 7] = [
    (0, "check-in"),
    (1, "check-out"),
    (2, "break-out"),
    (3, "break-in"),
    (4, "overtime-in"),
    (5, "overtime-out"),
    (255, "none"),
];

/// How long typing in the user filter pauses before the table follows it.
const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

impl AppState {
    /// Filters by `user` once typing has paused (each key would filter the whole log),
    /// unless a later key or Enter came first.
    fn clock_filter_user_soon(self, user: String, typed: StoredValue<u64>) {
        typed.update_value(|n| *n += 1);
        let this = typed.get_value();
        set_timeout(
            move || {
                if typed.get_value() == this {
                    self.clock_filter_user(user);
                }
            },
            TYPING_PAUSE,
        );
    }

    /// Filters by `user` now, when it differs from the filter shown.
    fn clock_filter_user(self, user: String) {
        if self.clock.filter.with_untracked(|f| f.user != user) {
            self.clock_set_filter(|f| f.user = user);
        }
    }

    /// Changes the punch filter and shows its first rows.
    fn clock_set_filter(self, change: impl FnOnce(&mut PunchFilter)) {
        self.clock.filter.update(change);
        self.clock.scroll_top.set(0.0);
        self.clock.first_row.set(0);
        if let Some(grid) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("punch-grid"))
        {
            grid.set_scroll_top(0);
        }
        self.clock_ensure_punches(true);
    }
}

/// The attendance log's counts, filters, table and files.
#[component]
pub fn PunchesPanel(state: AppState) -> impl IntoView {
    let clock = state.clock;
    let log = move || {
        clock
            .view
            .with(|v| v.as_ref().and_then(|v| v.attlog.clone()))
    };
    view! {
        <div class="panel" data-testid="clock-punches">
            {move || log().map(|l| view! { <LogSummary log=l /> })}
            <Filters state=state />
            <PunchGrid state=state />
            <RepairPanel state=state />
        </div>
    }
}

#[component]
fn LogSummary(log: AttlogView) -> impl IntoView {
    let listed = (log.damaged > log.damaged_listed as u64)
        .then(|| format!(" (the first {} are listed)", log.damaged_listed));
    view! {
        <h2>{format!("Punches: {}", log.name)}</h2>
        <p data-testid="attlog-summary">
            {format!("{}: {}, {}{}, {}, {}.",
                plural(log.lines, "line", "lines"), plural(log.punches as u64, "punch", "punches"),
                plural(log.damaged, "damaged line", "damaged lines"), listed.unwrap_or_default(),
                plural(log.duplicates as u64, "exact duplicate", "exact duplicates"),
                plural(log.blank_lines, "blank line", "blank lines"))}
            {(log.nul_bytes > 0).then(|| format!(" {}.", plural(log.nul_bytes, "NUL byte", "NUL bytes")))}
            {log.missing_final_newline.then_some(" The last line has no line end.")}
            {log.bom.then(|| format!(" {BOM_NOTE}"))}
            {(log.ids_not_utf8 > 0).then(|| format!(" {} not UTF-8 text: they are read in the clock's code page chosen under user.dat (the repair keeps them as they are).", plural(log.ids_not_utf8 as u64, "user ID is", "user IDs are")))}
        </p>
    }
}

#[component]
fn Filters(state: AppState) -> impl IntoView {
    let clock = state.clock;
    let note = move || {
        clock
            .punches
            .with(|p| p.as_ref().and_then(|p| p.filter_note.clone()))
    };
    let total = move || clock.punches.with(|p| p.as_ref().map_or(0, |p| p.total));
    let typed = StoredValue::new(0u64);
    view! {
        <form class="row-of-fields filters" on:submit=move |ev| ev.prevent_default()>
            <label>"User ID or name "
                <input type="search" data-testid="punch-user"
                    on:input=move |ev| state.clock_filter_user_soon(event_target_value(&ev), typed)
                    on:change=move |ev| state.clock_filter_user(event_target_value(&ev)) />
            </label>
            <label>"From "
                <input type="date" data-testid="punch-from"
                    on:change=move |ev| { let v = event_target_value(&ev); state.clock_set_filter(|f| f.from = v); } />
            </label>
            <label>"To "
                <input type="date" data-testid="punch-to"
                    on:change=move |ev| { let v = event_target_value(&ev); state.clock_set_filter(|f| f.to = v); } />
            </label>
            <label>"Status "
                <select data-testid="punch-status" on:change=move |ev| {
                    let v = event_target_value(&ev).parse().ok();
                    state.clock_set_filter(|f| f.status = v);
                }>
                    <option value="">"any"</option>
                    {STATUSES.iter().map(|(code, label)| view! {
                        <option value=code.to_string()>{format!("{label} ({code})")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label><input type="checkbox" data-testid="punch-damaged"
                on:change=move |ev| { let on = event_target_checked(&ev); state.clock_set_filter(|f| f.damaged_only = on); } />
                " Damaged lines only"</label>
            <span class="muted" data-testid="punch-count">{move || plural(total() as u64, "row", "rows")}</span>
        </form>
        {move || note().map(|n| view! { <p class="warning" data-testid="punch-filter-note">{n}</p> })}
    }
}

#[component]
fn PunchGrid(state: AppState) -> impl IntoView {
    let clock = state.clock;
    let total = move || clock.punches.with(|p| p.as_ref().map_or(0, |p| p.total));
    let total_now = move || {
        clock
            .punches
            .with_untracked(|p| p.as_ref().map_or(0, |p| p.total))
    };
    let on_scroll = move |ev: leptos::ev::Event| {
        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
            let top = f64::from(el.scroll_top());
            let (view, content) = (f64::from(el.client_height()), f64::from(el.scroll_height()));
            clock
                .first_row
                .set(first_row(top, view, content, total_now()));
            clock.scroll_top.set(top);
            state.clock_ensure_punches(false);
        }
    };
    let heads = [
        "User ID",
        "Name",
        "Date",
        "Time",
        "Status",
        "Verify",
        "Work code",
        "Note",
    ];
    view! {
        <div id="punch-grid" class="grid punch-grid" role="grid" aria-rowcount=move || total().to_string()
            data-testid="punch-grid" tabindex="0" on:scroll=on_scroll>
            <div class="grid-head" role="row">
                <span class="cell line" role="columnheader">"Line"</span>
                {heads.into_iter().map(|h| view! { <span class="cell" role="columnheader">{h}</span> }).collect_view()}
            </div>
            <div class="grid-body" style:height=move || format!("{}px", (total() as f64 * ROW_HEIGHT).min(MAX_BODY_PX))>
                {move || clock.punches.get().map(|p| view! {
                    <div class="grid-window" style:transform=move || {
                        let top = window_top(p.start, clock.first_row.get(), clock.scroll_top.get(), p.total);
                        format!("translateY({top}px)")
                    }>
                        {p.rows.into_iter().map(|r| view! { <PunchLine row=r /> }).collect_view()}
                    </div>
                })}
            </div>
        </div>
    }
}

#[component]
fn PunchLine(row: PunchRow) -> impl IntoView {
    if !row.damage.is_empty() {
        let note = format!("Line {} (byte {}): {}", row.line, row.offset, row.damage);
        return view! {
            <div class="grid-row errors damaged" role="row" data-testid="damaged-row" data-row=row.row.to_string() data-line=row.line.to_string()>
                <span class="cell line" role="gridcell">{row.line.to_string()}</span>
                <span class="cell wide" role="gridcell" title=row.text.clone()><code>{row.text.clone()}</code></span>
                <span class="cell wide" role="gridcell" title=note.clone()>{note.clone()}</span>
            </div>
        }
        .into_any();
    }
    let note = if row.duplicate { "exact duplicate" } else { "" };
    let id = row.user_id.clone();
    view! {
        <div class="grid-row" class:duplicate=row.duplicate role="row" data-testid="punch-row" data-row=row.row.to_string() data-user-id=id>
            <span class="cell line" role="gridcell">{row.line.to_string()}</span>
            <span class="cell" role="gridcell">{row.user_id}</span>
            <span class="cell" role="gridcell" data-testid="punch-name">{row.name}</span>
            <span class="cell" role="gridcell">{row.date}</span>
            <span class="cell" role="gridcell">{row.time}</span>
            <span class="cell" role="gridcell">{row.status}</span>
            <span class="cell" role="gridcell">{row.verify}</span>
            <span class="cell" role="gridcell">{row.workcode}</span>
            <span class="cell" role="gridcell">{note}</span>
        </div>
    }
    .into_any()
}

/// The repaired log and the punch CSV.
#[component]
fn RepairPanel(state: AppState) -> impl IntoView {
    let clock = state.clock;
    let remove_damaged = RwSignal::new(true);
    let remove_duplicates = RwSignal::new(false);
    let repair = move |_| {
        let op = ClockOp::Repair {
            remove_damaged: remove_damaged.get_untracked(),
            remove_duplicates: remove_duplicates.get_untracked(),
        };
        state.clock_send(op, &[], Some("Writing the repaired log"));
    };
    view! {
        <fieldset class="repair">
            <legend>"Repair the log"</legend>
            <label><input type="radio" name="damaged" checked=true data-testid="remove-damaged"
                on:change=move |_| remove_damaged.set(true) />" remove damaged and blank lines"</label>
            <label><input type="radio" name="damaged" data-testid="keep-damaged"
                on:change=move |_| remove_damaged.set(false) />" keep them"</label>
            <label><input type="checkbox" data-testid="remove-duplicates"
                on:change=move |ev| remove_duplicates.set(event_target_checked(&ev)) />" remove exact duplicates"</label>
            <div class="row-of-fields">
                <button type="button" class="button primary" data-testid="download-repaired" on:click=repair>
                    "Download the repaired attlog"
                </button>
                <button type="button" class="button" data-testid="download-punches-csv"
                    on:click=move |_| {
                        let remove_duplicates = remove_duplicates.get_untracked();
                        state.clock_send(ClockOp::PunchesCsv { remove_duplicates }, &[], Some("Writing the punches"))
                    }>
                    "Export punches to CSV (names joined)"
                </button>
            </div>
            <p class="muted">"The repaired log is what the workforce system's Import Manually takes. Kept lines are copied byte for byte: the ID width, fields and line ends stay as the clock wrote them. The CSV has a row per punch (damaged lines are not punches), exact duplicates left out when ticked above."</p>
            {move || clock.punches_written.get().filter(|(_, count)| *count > 0).map(|(listed, count)| view! {
                <div data-testid="punches-undecodable" class="problems">
                    <p>{format!("User IDs that did not decode in the clock's code page (choose it under user.dat), shown as \u{FFFD} in the CSV: {}.", plural(count, "punch", "punches"))}</p>
                    <ul>{listed.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                </div>
            })}
            {move || clock.repaired.get().map(|r| view! {
                <p data-testid="repaired">{format!("Kept {}; left out {}, {} and {}{}.",
                    plural(r.kept, "line", "lines"), plural(r.removed_damaged, "damaged line", "damaged lines"),
                    plural(r.removed_blank, "blank line", "blank lines"), plural(r.removed_duplicates, "duplicate", "duplicates"),
                    if r.removed_bom { ", and the UTF-8 byte order mark at byte 0" } else { "" })}</p>
            })}
        </fieldset>
    }
}
