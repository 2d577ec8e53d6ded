//! Notices: problems with a link, refused actions, news such as "link copied". Always text.

use yew::prelude::*;

use crate::state::{Action, Notice};

#[derive(Properties, PartialEq, Clone)]
pub struct NoticesProps {
    pub notices: Vec<Notice>,
    pub dispatch: Callback<Action>,
}

#[component(Notices)]
pub fn notices(p: &NoticesProps) -> Html {
    html! {
        <div class="notices" role="status" aria-live="polite">
            { for p.notices.iter().map(|n| {
                let d = p.dispatch.clone();
                let id = n.id;
                let onclick = Callback::from(move |_: MouseEvent| d.emit(Action::DismissNotice(id)));
                html! {
                    <div key={n.id} class={classes!("notice", if n.problem { "problem" } else { "news" })}>
                        <p>{ n.text.clone() }</p>
                        <button class="close" {onclick} aria-label="Dismiss this notice">{ "✕" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
