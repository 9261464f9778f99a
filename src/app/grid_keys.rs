//! The workbench table from the keyboard, as a grid: one Tab stop, arrow keys between
//! cells (the tick and line columns included), Home and End along a row, Ctrl+Home and
//! Ctrl+End to the first and last row, Page Up and Page Down by a screenful. Rows not drawn
//! yet (the table is virtual) are scrolled to and take the focus once the worker sends them.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};

use super::csv::{first_visible, CsvState, ROW_HEIGHT};

/// Grid columns before the file's: the tick box and the line button.
pub const LEAD_COLUMNS: usize = 2;

/// A place in the grid: the row's position in the table as filtered, and the column
/// counted from the tick box (the file's first column is [`LEAD_COLUMNS`]).
pub type GridPlace = (usize, usize);

/// The grid's size and the rows a screen shows, for a move.
struct Extent {
    rows: usize,
    columns: usize,
    screen: usize,
}

/// Where `key` moves the focus from `at` (`ctrl` held); None for a key that does not move it.
fn step(key: &str, ctrl: bool, at: GridPlace, extent: &Extent) -> Option<GridPlace> {
    let (row, col) = at;
    let last_row = extent.rows.checked_sub(1)?;
    let last_col = extent.columns.saturating_sub(1);
    let to = match key {
        "ArrowUp" => (row.saturating_sub(1), col),
        "ArrowDown" => ((row + 1).min(last_row), col),
        "ArrowLeft" => (row, col.saturating_sub(1)),
        "ArrowRight" => (row, (col + 1).min(last_col)),
        "Home" if ctrl => (0, col),
        "End" if ctrl => (last_row, col),
        "Home" => (row, 0),
        "End" => (row, last_col),
        "PageUp" => (row.saturating_sub(extent.screen), col),
        "PageDown" => ((row + extent.screen).min(last_row), col),
        _ => return None,
    };
    Some(to)
}

/// The place an element of the grid stands for, from its `data-pos` and `data-ncol`.
fn place_of(el: &HtmlElement) -> Option<GridPlace> {
    let data = el.dataset();
    Some((
        data.get("pos")?.parse().ok()?,
        data.get("ncol")?.parse().ok()?,
    ))
}

/// The table's scrolling element.
fn grid() -> Option<HtmlElement> {
    document().get_element_by_id("csv-grid")?.dyn_into().ok()
}

/// Moves the keyboard focus through the grid on an arrow, Home, End or page key pressed on
/// one of its cells (never inside a cell's editor). The move starts from the cursor, not
/// from the element pressed on: the table draws new rows into the elements it has, so the
/// element with the focus may show another row by then.
pub fn on_grid_keydown(csv: CsvState, ev: &KeyboardEvent, columns: usize) {
    if ev.alt_key() {
        return; // Alt+arrows are the browser's (back and forward).
    }
    let target = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok());
    let Some((target, grid)) = target.zip(grid()) else {
        return;
    };
    let on_grid = target.is_same_node(Some(&grid));
    let from = match (place_of(&target), csv.cursor.get_untracked()) {
        (Some(_), Some(cursor)) => cursor,
        (Some(at), None) => at,
        (None, Some(cursor)) if on_grid => cursor,
        _ => return,
    };
    let extent = Extent {
        rows: csv
            .page
            .with_untracked(|p| p.as_ref().map_or(0, |p| p.total)),
        columns: columns + LEAD_COLUMNS,
        screen: ((f64::from(grid.client_height()) / ROW_HEIGHT) as usize)
            .saturating_sub(2)
            .max(1),
    };
    let ctrl = ev.ctrl_key() || ev.meta_key();
    let Some(to) = step(&ev.key(), ctrl, from, &extent) else {
        return;
    };
    ev.prevent_default();
    csv.cursor.set(Some(to));
    if !focus_cursor(csv, true) {
        // Not drawn yet: the grid holds the focus (no cell showing another row does), the
        // row is scrolled into the middle, and takes the focus when it comes.
        csv.focus_pending.set(true);
        focus_quietly(&grid);
        let middle = to.0 as f64 * ROW_HEIGHT - f64::from(grid.client_height()) / 2.0;
        grid.set_scroll_top(middle.max(0.0) as i32);
    }
}

/// The drawn element of the grid's cursor cell.
fn cursor_cell(csv: CsvState) -> Option<HtmlElement> {
    let (pos, col) = csv.cursor.get_untracked()?;
    let selector = format!("#csv-grid [data-pos=\"{pos}\"][data-ncol=\"{col}\"]");
    document().query_selector(&selector).ok()??.dyn_into().ok()
}

/// Puts the keyboard focus on the grid's cursor cell, scrolling it into view when
/// `scroll`; false when that cell is not drawn.
pub fn focus_cursor(csv: CsvState, scroll: bool) -> bool {
    let Some(cell) = cursor_cell(csv) else {
        return false;
    };
    match scroll {
        true => _ = cell.focus(),
        false => focus_quietly(&cell),
    }
    true
}

/// Puts the keyboard focus in the table: on the cursor cell, else on its Tab stop.
pub fn focus_table(csv: CsvState) {
    if !focus_cursor(csv, true) {
        focus_first("#csv-grid [tabindex=\"0\"]");
    }
}

/// Puts the keyboard focus on the first element `selector` finds, if any.
pub fn focus_first(selector: &str) {
    let found = document().query_selector(selector).ok().flatten();
    if let Some(el) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// The grid's one Tab stop: the cursor cell while it is drawn, else the first visible
/// row's first cell of the file.
pub fn tab_stop(csv: CsvState) -> Memo<GridPlace> {
    Memo::new(move |_| {
        let drawn = csv
            .page
            .with(|p| p.as_ref().map(|p| p.start..p.start + p.rows.len()));
        match csv.cursor.get() {
            Some(at) if drawn.is_some_and(|rows| rows.contains(&at.0)) => at,
            _ => (first_visible(csv.scroll_top.get()), LEAD_COLUMNS),
        }
    })
}

/// After the table draws other rows: keeps the cursor inside the table (a fix can take
/// the last row out of a filter), and keeps the focus on the cursor cell when the grid had
/// it (the elements now show other rows), or gives it there when a key or an edit left it
/// waiting for those rows. A cursor scrolled away leaves the focus on the grid itself.
pub fn focus_when_drawn(csv: CsvState) {
    Effect::new(move |_| {
        let total = csv.page.with(|p| p.as_ref().map(|p| p.total));
        let mut moved_up = false;
        if let (Some(total), Some((pos, col))) = (total, csv.cursor.get_untracked()) {
            if pos >= total {
                csv.cursor.set(total.checked_sub(1).map(|last| (last, col)));
                moved_up = true;
            }
        }
        request_animation_frame(move || refocus(csv, moved_up));
    });
}

/// Gives the focus back to the cursor cell after the rows were drawn again, when it is
/// waited for or the grid holds the focus (not a cell's editor), or when the cursor's row
/// left the table (`moved_up`) and took the focus with its element, to the page.
fn refocus(csv: CsvState, moved_up: bool) {
    let pending = csv.focus_pending.get_untracked();
    let active = document().active_element();
    let in_grid = (active.as_ref()).is_some_and(|a| {
        a.closest("#csv-grid").ok().flatten().is_some() && a.tag_name() != "TEXTAREA"
    });
    let body = document()
        .body()
        .map(|b| b.unchecked_into::<web_sys::Element>());
    let lost = moved_up && (active.is_none() || active == body);
    if !(pending || in_grid || lost) {
        return;
    }
    if focus_cursor(csv, pending) {
        csv.focus_pending.set(false);
    } else if let Some(grid) = grid().filter(|_| in_grid) {
        focus_quietly(&grid);
    }
}

/// Puts the keyboard focus on `el` without scrolling to it.
fn focus_quietly(el: &HtmlElement) {
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = el.focus_with_options(&options);
}

/// A grid element's `tabindex`: 0 for the Tab stop, -1 for the others.
pub fn tab_index(stop: Memo<GridPlace>, at: GridPlace) -> impl Fn() -> &'static str {
    move || if stop.get() == at { "0" } else { "-1" }
}
