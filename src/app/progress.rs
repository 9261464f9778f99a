//! The progress bar with its cancel button, shown while the worker is busy.

use leptos::prelude::*;

use super::AppState;

fn percent(done: u64, total: u64) -> u64 {
    done.saturating_mul(100)
        .checked_div(total)
        .map_or(0, |p| p.min(100))
}

/// Shows the job under way (after a moment, so quick jobs do not flash) and lets the user cancel it.
#[component]
pub fn ProgressBar(state: AppState) -> impl IntoView {
    view! {
        {move || state.job.get().map(|job| {
            // A stage whose size is not known (total 0) shows a bar that moves on its own,
            // not a "0%" that never changes.
            let pct = (job.total > 0).then(|| percent(job.done, job.total));
            view! {
                <div class="progress" data-testid="progress">
                    <label for="job-progress">{job.label.clone()}" "<span class="pct">{pct.map(|p| format!("{p}%"))}</span></label>
                    <progress id="job-progress" max="100" value=pct.map(|p| p.to_string())></progress>
                    <button type="button" class="button" data-testid="cancel" on:click=move |_| state.cancel()>
                        "Cancel"
                    </button>
                </div>
            }
        })}
    }
}
