//! The users of `user.dat`: how it was read (record size, code page), a table of every
//! user in pages, the BioStar CSV made from them, and the `user.dat` written from them.

use crate::text::plural;
use leptos::prelude::*;

use crate::clock::{ClockView, NoteList, UserFileView, UserRow, NOTES_SHOWN};
use crate::formats::zk_user_dat::CLOCK_ENCODINGS;
use crate::protocol::{ClockOp, USER_PAGE};

use super::AppState;

/// An encoding's name in the menu.
fn encoding_label(name: &str) -> String {
    match name {
        "UTF-8" => "UTF-8 (newer clocks)".into(),
        "EUC-KR" => "CP949 / EUC-KR (Korean)".into(),
        "GBK" => "GBK (Simplified Chinese)".into(),
        "Big5" => "Big5 (Traditional Chinese)".into(),
        "Shift_JIS" => "Shift_JIS (Japanese)".into(),
        other => other.replace("windows-", "Windows-"),
    }
}

/// How `user.dat` was read, with the record size and code page to read it with.
#[component]
pub fn UsersPanel(state: AppState, file: UserFileView) -> impl IntoView {
    let current = file.encoding.clone();
    let record = file.record;
    // Users taken from the workbench's CSV with no user.dat behind them are taken again
    // in the records or code page chosen; a user.dat is read again.
    let from_csv_only = file.size == 0 && file.from_csv.is_some();
    let reread = move |record: Option<u64>, encoding: String| {
        let (op, label) = if from_csv_only {
            let record = record.unwrap_or(file.record);
            let op = ClockOp::FromWorkbench {
                record,
                encoding: Some(encoding),
            };
            (op, "Taking the workbench's users again")
        } else {
            (
                ClockOp::Reread { record, encoding },
                "Reading user.dat again",
            )
        };
        state.clock_send(op, &[], Some(label));
    };
    let enc_for_size = current.clone();
    let forced = file.forced.then_some(record);
    view! {
        <div class="panel" data-testid="clock-users">
            <h2>{format!("Users: {}", file.name)}</h2>
            {file.unreadable.clone().map(|why| view! {
                <div class="error" role="alert" data-testid="user-unreadable">
                    <p><strong>{why}</strong></p>
                    <p>{UNREADABLE_NOTE}</p>
                </div>
            })}
            <p data-testid="user-dat-summary">{format!(
                "{}, {} (counted, not listed), {}-byte records.",
                plural(file.users as u64, "user", "users"),
                plural(file.empty_slots, "empty slot", "empty slots"),
                file.record
            )}</p>
            <p class="muted" data-testid="record-why">{file.why.clone()}</p>
            {file.from_csv.clone().map(|s| view! { <p class="note" data-testid="from-csv">{s}" Not yet written: write user.dat below."</p> })}
            {file.kept.clone().map(|k| view! { <p class="warning" data-testid="kept-users">{k}</p> })}
            <div class="row-of-fields">
                <label>"Record size "
                    <select data-testid="record-size" on:change=move |ev| {
                        let record = event_target_value(&ev).parse().ok();
                        reread(record, enc_for_size.clone());
                    }>
                        <option value="" selected=forced.is_none()>{if forced.is_none() { format!("judged from the file ({record})") } else { "judged from the file".to_string() }}</option>
                        <option value="72" selected=forced == Some(72)>"72 bytes (color-screen clocks)"</option>
                        <option value="28" selected=forced == Some(28)>"28 bytes (black-and-white clocks)"</option>
                    </select>
                </label>
                <label>"Code page "
                    <select data-testid="code-page" on:change=move |ev| reread(forced, event_target_value(&ev))>
                        {CLOCK_ENCODINGS.iter().map(|e| view! {
                            <option value=e.name() selected=e.name() == current>{encoding_label(e.name())}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {(file.undecodable > 0).then(|| view! {
                <p class="warning" data-testid="undecodable">{format!(
                    "{} of the names and user IDs did not decode as {}, shown as \u{FFFD}. Choose the clock's code page.",
                    plural(file.undecodable as u64, "byte sequence", "byte sequences"), file.encoding
                )}</p>
            })}
            {(!file.problems.is_empty()).then(|| view! {
                <ul class="warnings" data-testid="user-problems">
                    {file.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                    {(file.problem_count > file.problems.len() as u64).then(|| view! {
                        <li data-testid="user-problems-more">{format!("... and {} more", file.problem_count - file.problems.len() as u64)}</li>
                    })}
                </ul>
            })}
            <UserTable state=state />
        </div>
    }
}

/// What the page does with users that are not a clock's (said under the reason).
const UNREADABLE_NOTE: &str = "The records below are shown as read, but they are not a clock's users: they are not converted to BioStar or written to a user.dat, as on the command line. Choose the other record size above if the file is a user.dat of that size, or open the user.dat the clock wrote.";

/// The users in pages of [`USER_PAGE`].
#[component]
fn UserTable(state: AppState) -> impl IntoView {
    let clock = state.clock;
    let go = move |start: usize| state.clock_send(ClockOp::Users { start }, &[], None);
    view! {
        {move || clock.users.get().map(|page| {
            let (start, total, shown) = (page.start, page.total, page.rows.len());
            view! {
                <div class="table-scroll">
                    <table class="users" data-testid="user-table">
                        <thead><tr>
                            <th scope="col">"uid"</th><th scope="col">"User ID"</th><th scope="col">"Name"</th>
                            <th scope="col">"Privilege"</th><th scope="col">"Disabled"</th><th scope="col">"Password"</th>
                            <th scope="col">"Card"</th><th scope="col">"Group"</th><th scope="col">"Time zones"</th>
                        </tr></thead>
                        <tbody>
                            {page.rows.into_iter().map(|u| view! { <UserLine state=state user=u /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="row-of-fields">
                    <span class="muted">{format!("Users {} to {} of {total}", (start + 1).min(total), start + shown)}</span>
                    {(start > 0).then(|| view! {
                        <button type="button" class="button" on:click=move |_| go(start.saturating_sub(USER_PAGE))>"Previous"</button>
                    })}
                    {(start + shown < total).then(|| view! {
                        <button type="button" class="button" on:click=move |_| go(start + USER_PAGE)>"Next"</button>
                    })}
                </div>
            }
        })}
    }
}

/// One user; the password only when asked for.
#[component]
fn UserLine(state: AppState, user: UserRow) -> impl IntoView {
    let clock = state.clock;
    let index = user.index;
    let shown = move || clock.passwords.with(|p| p.get(&index).cloned());
    let password = move || {
        match (user.password_set, shown()) {
        (false, _) => view! { <span class="muted">"none"</span> }.into_any(),
        (true, Some(p)) => view! { <code data-testid="password">{p}</code> }.into_any(),
        (true, None) => view! {
            <button type="button" class="button small" data-testid="show-password"
                on:click=move |_| state.clock_send(ClockOp::Password { index }, &[], None)>"set: show"</button>
        }.into_any(),
    }
    };
    view! {
        <tr data-user-id=user.user_id.clone()>
            <td>{user.uid.to_string()}</td>
            <td>{user.user_id.clone()}</td>
            <td class:warning={user.undecodable > 0}>{user.name.clone()}</td>
            <td>{user.privilege.clone()}</td>
            <td>{if user.disabled { "yes" } else { "no" }}</td>
            <td>{password}</td>
            <td class:warning={user.card_cell.is_some()}>{user.card_text()}</td>
            <td>{user.group.to_string()}</td>
            <td>{user.time_zones.clone()}</td>
        </tr>
    }
}

/// The users to a BioStar user CSV, with what did not carry, a download and the workbench.
#[component]
pub fn ConvertPanel(state: AppState, has_users: bool, unreadable: bool) -> impl IntoView {
    let clock = state.clock;
    let carry_pins = RwSignal::new(false);
    let include_disabled = RwSignal::new(false);
    let convert = move |_| {
        let op = ClockOp::ToBiostar {
            carry_pins: carry_pins.get_untracked(),
            include_disabled: include_disabled.get_untracked(),
        };
        state.clock_send(op, &[], Some("Converting the users"));
    };
    view! {
        <div class="panel" data-testid="clock-convert">
            <h2>"To BioStar"</h2>
            {(!has_users).then(|| view! { <p class="muted">"Open the clock's user.dat to convert its users."</p> })}
            {unreadable.then(|| view! { <p class="error" data-testid="convert-refused">"Nothing is converted: the user.dat open does not hold a clock's users (said above)."</p> })}
            <div class="row-of-fields">
                <label><input type="checkbox" data-testid="carry-pins" on:change=move |ev| carry_pins.set(event_target_checked(&ev)) />
                    " Carry passwords that are valid BioStar PINs (4 to 16 digits)"</label>
                <label><input type="checkbox" data-testid="include-disabled" on:change=move |ev| include_disabled.set(event_target_checked(&ev)) />
                    " Include users disabled on the clock (BioStar has no field for it: they arrive enabled)"</label>
                <button type="button" class="button primary" data-testid="to-biostar" disabled=!has_users || unreadable
                    on:click=convert>
                    "Convert the users to a BioStar user CSV"
                </button>
            </div>
            {move || clock.converted.get().map(|c| view! {
                <p data-testid="converted">{converted_text(&c)}</p>
                <div class="row-of-fields">
                    <button type="button" class="button" data-testid="download-converted"
                        on:click=move |_| state.clock_download_converted()>"Download the CSV"</button>
                    <button type="button" class="button primary" data-testid="converted-to-workbench"
                        on:click=move |_| state.clock_open_converted_in_workbench()>"Open in the workbench"</button>
                </div>
                {(c.notes.total > 0).then(|| notes_view(state, c.notes, "notes", "carry-notes", "clock_users_biostar_notes.csv"))}
            })}
        </div>
    }
}

/// What the conversion to BioStar wrote and left out, in a line.
fn converted_text(c: &super::Converted) -> String {
    let left_out = match c.left_out {
        0 => String::new(),
        1 => " 1 user disabled on the clock was left out (named in the notes): tick \"Include users disabled on the clock\" to carry it, enabled.".to_string(),
        n => format!(" {n} users disabled on the clock were left out (named in the notes): tick \"Include users disabled on the clock\" to carry them, enabled."),
    };
    format!(
        "{} ({} bytes): {} with something that does not carry.{left_out}",
        c.name,
        c.size,
        plural(c.notes.users as u64, "user", "users")
    )
}

/// Notes on users, an item per user (its note on the same line, several notes a list),
/// the first [`NOTES_SHOWN`] users only, and a button that downloads them all as a CSV
/// named `file` (the test ids: `id`, `id`-more, `id`-download).
fn notes_view(
    state: AppState,
    list: NoteList,
    class: &'static str,
    id: &'static str,
    file: &'static str,
) -> impl IntoView {
    let shown = list.shown.len();
    let items = list.shown.into_iter().map(|f| {
        let who = format!("{}: ", f.who());
        let mut each = f.notes;
        let body = match each.len() {
            1 => each.pop().unwrap_or_default().into_any(),
            _ => view! { <ul>{each.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> }
                .into_any(),
        };
        view! { <li><strong>{who}</strong>{body}</li> }
    }).collect_view();
    let more = (list.total > shown).then(|| {
        // A row a later row of its user ID replaced is an entry of its own, not a user.
        let of = match list.users == list.total {
            true => plural(list.total as u64, "user", "users"),
            false => format!(
                "{} (on {})",
                plural(list.total as u64, "entry", "entries"),
                plural(list.users as u64, "user", "users")
            ),
        };
        let text =
            format!("The first {NOTES_SHOWN} of {of} are listed; the download has them all.");
        view! { <p class="muted" data-testid=format!("{id}-more")>{text}</p> }
    });
    let csv = StoredValue::new(list.csv);
    view! {
        <ul class=class data-testid=id>{items}</ul>
        {more}
        <button type="button" class="button" data-testid=format!("{id}-download")
            on:click=move |_| csv.with_value(|c| state.download_notes(c, file))>
            "Download the notes (CSV)"
        </button>
    }
}

/// `user.dat` written from the users held, checked first; users taken from the workbench.
#[component]
pub fn WritePanel(state: AppState, view: ClockView) -> impl IntoView {
    let clock = state.clock;
    let record = RwSignal::new(view.users.as_ref().map_or(72, |u| u.record));
    let unreadable = view.users.as_ref().is_some_and(|u| u.unreadable.is_some());
    let has_users = view.users.as_ref().is_some_and(|u| u.users > 0) && !unreadable;
    let csv_open = move || state.csv.view.with(|v| v.is_some()) && !unreadable;
    view! {
        <div class="panel" data-testid="clock-write">
            <h2>"Write user.dat for the clock"</h2>
            {unreadable.then(|| view! { <p class="error" data-testid="write-refused">"Nothing is written or taken from the workbench: the user.dat open does not hold a clock's users (said above)."</p> })}
            <div class="row-of-fields">
                <label>"Records "
                    <select data-testid="write-record" on:change=move |ev| {
                        record.set(event_target_value(&ev).parse().unwrap_or(72));
                        clock.fit.set(None);
                    }>
                        <option value="72" selected=record.get_untracked() == 72>"72 bytes"</option>
                        <option value="28" selected=record.get_untracked() == 28>"28 bytes"</option>
                    </select>
                </label>
                <button type="button" class="button" data-testid="check-fit" disabled=!has_users
                    on:click=move |_| state.clock_send(ClockOp::CheckFit { record: record.get_untracked() }, &[], None)>
                    "Check what the clock cannot hold"
                </button>
                <button type="button" class="button primary" data-testid="write-user-dat" disabled=!has_users
                    on:click=move |_| state.clock_send(ClockOp::WriteUsers { record: record.get_untracked() }, &[], Some("Writing user.dat"))>
                    "Write user.dat"
                </button>
                <button type="button" class="button" data-testid="from-workbench" disabled=move || !csv_open()
                    title="The rows of the CSV open in the workbench; users of this user.dat keep their uids"
                    on:click=move |_| state.clock_send(ClockOp::FromWorkbench { record: record.get_untracked(), encoding: None }, &[], Some("Taking the workbench's users"))>
                    "Take the users of the workbench's CSV"
                </button>
            </div>
            {move || clock.fit.get().map(|f| if f.written {
                let text = format!("user.dat written with {}-byte records.", f.record);
                let held = (f.findings.total > 0).then(|| view! {
                    <p class="warning" data-testid="fit-held">{format!("{} a user ID, card or uid in the user.dat as read; written back as the clock holds them:", plural(f.findings.users as u64, "user shares", "users share"))}</p>
                    {notes_view(state, f.findings, "warnings", "fit-findings", "user_dat_notes.csv")}
                });
                view! { <p class="good" data-testid="fit-ok">{text}</p> {held} }.into_any()
            } else if f.findings.total == 0 {
                let text = format!("Every user fits {}-byte records.", f.record);
                view! { <p class="good" data-testid="fit-ok">{text}</p> }.into_any()
            } else {
                view! {
                    <p class="error" data-testid="fit-count">{format!("{} not fit {}-byte records; user.dat is not written until they do:", plural(f.findings.users as u64, "user does", "users do"), f.record)}</p>
                    {notes_view(state, f.findings, "errors", "fit-findings", "user_dat_does_not_fit.csv")}
                }.into_any()
            })}
        </div>
    }
}

/// With no clock files open: a new `user.dat` from the users of the CSV open in the
/// workbench, in the records and code page chosen here.
#[component]
pub fn StartPanel(state: AppState) -> impl IntoView {
    let record = RwSignal::new(72u64);
    let encoding = RwSignal::new(CLOCK_ENCODINGS[0].name().to_string());
    let csv_open = move || state.csv.view.with(|v| v.is_some());
    let take = move |_| {
        let op = ClockOp::FromWorkbench {
            record: record.get_untracked(),
            encoding: Some(encoding.get_untracked()),
        };
        state.clock_send(op, &[], Some("Taking the workbench's users"));
    };
    view! {
        <div class="panel" data-testid="clock-start">
            <h2>"A new user.dat from a BioStar user CSV"</h2>
            <p class="muted">{move || if csv_open() {
                "No clock files are open. The users of the CSV open in the workbench can become a user.dat for the clock: choose its records and code page, take them, then write user.dat."
            } else {
                "No clock files are open. To make a user.dat for the clock from BioStar users, open their CSV in the BioStar user CSV workbench first; or open the clock's files above."
            }}</p>
            <div class="row-of-fields">
                <label>"Records "
                    <select data-testid="start-record" on:change=move |ev| record.set(event_target_value(&ev).parse().unwrap_or(72))>
                        <option value="72" selected=true>"72 bytes (color-screen clocks)"</option>
                        <option value="28">"28 bytes (black-and-white clocks)"</option>
                    </select>
                </label>
                <label>"Code page "
                    <select data-testid="start-code-page" on:change=move |ev| encoding.set(event_target_value(&ev))>
                        {CLOCK_ENCODINGS.iter().enumerate().map(|(i, e)| view! {
                            <option value=e.name() selected=i == 0>{encoding_label(e.name())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" class="button primary" data-testid="start-from-workbench"
                    disabled=move || !csv_open() on:click=take>
                    "Take the users of the workbench's CSV"
                </button>
            </div>
        </div>
    }
}
