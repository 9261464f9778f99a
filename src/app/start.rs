//! The start screen: what bioport does, the three workflows, and a place to drop files.

use leptos::prelude::*;

use crate::recognize::Workflow;

use super::{AppState, FilePicker};

/// The first screen.
#[component]
pub fn StartScreen(state: AppState) -> impl IntoView {
    let cards = Workflow::ALL
        .iter()
        .map(|&w| {
            view! {
                <li>
                    <button
                        type="button"
                        class="card"
                        data-testid=format!("open-{}", w.id())
                        on:click=move |_| state.workflow.set(Some(w))
                    >
                        <span class="card-title">{w.title()}</span>
                        <span class="card-text">{w.accepts()}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="start" data-testid="start">
            <h1>"Convert access-control user files, in your browser"</h1>
            <p class="lead">
                "Check a BioStar user CSV before you upload it, prepare a BioStar data file for a device, "
                "or read a time clock's USB files. Drop any of them below: bioport tells what each file is."
            </p>
            <FilePicker
                state=state
                label="Choose files"
                hint="Any of the files below; several at once are welcome (a clock's whole USB folder).".to_string()
                id="start-files"
            />
            <h2>"Or start from what you want to do"</h2>
            <ul class="cards">{cards}</ul>
        </section>
    }
}
