//! Notices: problems with a link, refused actions, news such as "link copied". Always text.
//!
//! The newest is shown in full; the others fold into one list under it ("3 more notices"), so a
//! link with many problems does not push the diagram down the page. Each can be dismissed, or
//! all at once.

use yew::prelude::*;

use crate::state::{Action, Notice};

#[derive(Properties, PartialEq, Clone)]
pub struct NoticesProps {
    pub notices: Vec<Notice>,
    pub dispatch: Callback<Action>,
}

fn notice(n: &Notice, dispatch: &Callback<Action>) -> Html {
    let d = dispatch.clone();
    let id = n.id;
    let onclick = Callback::from(move |_: MouseEvent| d.emit(Action::DismissNotice(id)));
    html! {
        <div key={n.id} class={classes!("notice", if n.problem { "problem" } else { "news" })}>
            <p>{ n.text.clone() }</p>
            <button class="close" {onclick} aria-label="Dismiss this notice">{ "✕" }</button>
        </div>
    }
}

#[component(Notices)]
pub fn notices(p: &NoticesProps) -> Html {
    let Some((newest, older)) = p.notices.split_last() else {
        return html! { <div class="notices" role="status" aria-live="polite"></div> };
    };
    let problems = older.iter().filter(|n| n.problem).count();
    let more = match (older.len(), problems) {
        (1, 1) => "1 more notice, a problem".to_string(),
        (1, _) => "1 more notice".to_string(),
        (n, 0) => format!("{n} more notices"),
        (n, k) => format!("{n} more notices, {k} of them problems"),
    };
    let d = p.dispatch.clone();
    let dismiss_all = Callback::from(move |_: MouseEvent| d.emit(Action::DismissNotices));
    html! {
        <div class="notices" role="status" aria-live="polite">
            { notice(newest, &p.dispatch) }
            if !older.is_empty() {
                <div class="notice-fold">
                    <details class="notice-more">
                        <summary>{ more }</summary>
                        <div class="notice-list">
                            { for older.iter().rev().map(|n| notice(n, &p.dispatch)) }
                        </div>
                    </details>
                    <button class="dismiss-all" onclick={dismiss_all}>{ "Dismiss all" }</button>
                </div>
            }
        </div>
    }
}
