//! A structural check of the page's style sheets. Browsers drop everything after an unclosed
//! rule without a word, so a lost `}` (easy to lose when two appended blocks are merged) would
//! silently unstyle every rule below it.

/// Where the first structural problem of a style sheet is: an unclosed rule, a stray `}`, or a
/// style rule opened inside another style rule (only `@media`-like at-rules hold rules here).
pub fn structure_problem(css: &str) -> Option<String> {
    let mut open: Vec<(usize, bool)> = Vec::new(); // (line, is an at-rule)
    let mut line = 1;
    let mut header = String::new();
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                    }
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' | '\'' => {
                for s in chars.by_ref() {
                    if s == c {
                        break;
                    }
                }
            }
            '{' => {
                let at = header.trim_start().starts_with('@');
                if let Some(&(outer, false)) = open.last() {
                    return Some(format!(
                        "line {line}: a rule opens inside the rule opened at line {outer}, which is not closed"
                    ));
                }
                open.push((line, at));
                header.clear();
            }
            '}' => {
                if open.pop().is_none() {
                    return Some(format!("line {line}: a '}}' closes nothing"));
                }
                header.clear();
            }
            ';' => header.clear(),
            '\n' => {
                line += 1;
                header.push(' ');
            }
            c => header.push(c),
        }
    }
    open.last()
        .map(|(l, _)| format!("line {l}: this rule is never closed"))
}

#[cfg(test)]
mod tests {
    use super::structure_problem;

    #[test]
    fn a_well_formed_sheet_passes() {
        let css =
            "a { color: red; }\n@media (max-width: 1px) {\n  b { margin: 0; }\n}\n/* } { */\n";
        assert_eq!(structure_problem(css), None);
    }

    #[test]
    fn a_lost_brace_is_found_at_its_rule() {
        let css = "a {\n  margin: 0;\n\nb {\n  color: red;\n}\n";
        let problem = structure_problem(css).expect("a problem");
        assert!(problem.starts_with("line 4:"), "{problem}");
        assert_eq!(
            structure_problem("a { }\n}\n").as_deref(),
            Some("line 2: a '}' closes nothing")
        );
        assert!(structure_problem("@media x {\n a { }\n").is_some());
    }

    #[test]
    fn the_project_style_sheets_are_well_formed() {
        let dir = crate::project::root().join("static");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("static/") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "css") {
                let css = std::fs::read_to_string(&path).expect("a style sheet");
                assert_eq!(structure_problem(&css), None, "{}", path.display());
                seen += 1;
            }
        }
        assert!(
            seen >= 2,
            "the page's and the course example's style sheets"
        );
    }
}
