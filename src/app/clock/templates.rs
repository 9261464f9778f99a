//! The template files: records per user and finger or face index, valid flags, sizes,
//! and size fields that run past the end (template bytes are never decoded).

use leptos::prelude::*;

use crate::clock::{ClockView, TemplateFileView, TemplateOwner};
use crate::text::plural;

/// Every template file of the set.
#[component]
pub fn TemplatesPanel(view: ClockView) -> impl IntoView {
    let with_users = view.users.is_some();
    (!view.templates.is_empty()).then(|| {
        view! {
            <div class="panel" data-testid="clock-templates">
                <h2>"Templates"</h2>
                {(!with_users).then(|| view! { <p class="muted" data-testid="templates-no-user-dat">
                    "No user.dat in the set, so the uids are not checked against users; add the clock's user.dat to check them."</p> })}
                {view.templates.into_iter().map(|t| view! { <TemplateFile file=t with_users=with_users /> }).collect_view()}
            </div>
        }
    })
}

#[component]
fn TemplateFile(file: TemplateFileView, with_users: bool) -> impl IntoView {
    let more = file.owner_count.saturating_sub(file.owners.len());
    view! {
        <details class="template-file" open=true>
            <summary>{format!("{}: {}, {} ({} valid), {}",
                file.name, file.kind, plural(file.records as u64, "record", "records"), file.valid,
                plural(file.owner_count as u64, "user", "users"))}</summary>
            {(!file.problems.is_empty()).then(|| view! {
                <ul class="warnings" data-testid="template-problems">
                    {file.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                    {(file.problem_count > file.problems.len() as u64).then(|| view! {
                        <li>{format!("... and {} more", file.problem_count - file.problems.len() as u64)}</li>
                    })}
                </ul>
            })}
            <div class="table-scroll">
                <table class="templates" data-testid="template-table">
                    <thead><tr>
                        <th scope="col">"uid"</th><th scope="col">"User"</th><th scope="col">"Records (index: size, valid)"</th>
                    </tr></thead>
                    <tbody>{file.owners.into_iter().map(|o| owner_row(o, with_users)).collect_view()}</tbody>
                </table>
            </div>
            {(more > 0).then(|| view! { <p class="muted">{format!("... and {}.", plural(more as u64, "more user", "more users"))}</p> })}
        </details>
    }
}

/// One uid's records; "no user in user.dat" only when `with_users` (a user.dat is in the set).
fn owner_row(owner: TemplateOwner, with_users: bool) -> impl IntoView {
    let user = match (&owner.user_id, with_users) {
        (Some(id), _) => format!("{id} {}", owner.name),
        (None, true) => "no user in user.dat".to_string(),
        (None, false) => String::new(),
    };
    let entries = (owner.entries.iter())
        .map(|e| {
            let flag = if e.valid { "valid" } else { "not valid" };
            format!("{}: {} bytes, {flag}", e.index, e.size)
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <tr class:unlinked=with_users && owner.user_id.is_none()>
            <td>{owner.uid.to_string()}</td>
            <td>{user}</td>
            <td>{entries}</td>
        </tr>
    }
}
