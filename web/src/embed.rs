//! Embedding the playground in a course page: the iframe code "Copy embed code" writes, sized to
//! what an embed holds (the diagram and the playback bar) so nothing scrolls or is cut off.

use crate::components::intro::title_or_name;

/// The embed's recommended height in CSS pixels at the recommended width: the diagram of three
/// AZs side by side plus the compact playback bar, measured in the end-to-end tests.
pub const EMBED_HEIGHT: u32 = 720;
/// The widest the embed is useful at: wider only scales the diagram's text up.
pub const EMBED_MAX_WIDTH_PX: u32 = 1000;

/// The iframe for a link that already carries `embed=1`.
pub fn iframe_code(url: &str, scenario: &str) -> String {
    let src = url.replace('&', "&amp;").replace('"', "&quot;");
    let title = title_or_name(scenario).replace('"', "&quot;");
    format!(
        "<iframe src=\"{src}\" title=\"Aurora Playground: {title}\" width=\"100%\" height=\"{EMBED_HEIGHT}\" style=\"border: 0; max-width: {EMBED_MAX_WIDTH_PX}px;\" loading=\"lazy\"></iframe>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embed_code_is_an_escaped_iframe_with_a_title_and_a_size() {
        let code = iframe_code(
            "https://example.edu/aurora/?scenario=failover&embed=1",
            "failover",
        );
        assert!(code.starts_with(
            "<iframe src=\"https://example.edu/aurora/?scenario=failover&amp;embed=1\""
        ));
        assert!(
            code.contains("title=\"Aurora Playground: The writer crashes: a replica takes over\"")
        );
        assert!(code.contains(&format!("height=\"{EMBED_HEIGHT}\"")));
    }
}
