//! `.helmignore`: which files of a chart directory are left out, with
//! helm's exact rule semantics (they differ from .gitignore):
//! - patterns are Go `filepath.Match` globs; `**` is rejected;
//! - a pattern without `/` matches the base name, one with `/` the whole
//!   relative path, a leading `/` anchors at the root, a trailing `/`
//!   restricts it to directories;
//! - rules are tried in order and the first match decides; a `!rule`
//!   that does *not* match ignores the path (helm's quirk), a matching
//!   one moves on to the next rule.
//! - `templates/.?*` (dotfiles in templates/) is always ignored.

use super::gomatch::{BadPattern, Pattern};

/// The name of the ignore file in a chart directory.
pub const HELM_IGNORE: &str = ".helmignore";

/// A parse failure; `Display` is helm's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    #[error(transparent)]
    BadPattern(#[from] BadPattern),
}

#[derive(Debug, Clone)]
enum Scope {
    /// No `/` in the rule: match the base name.
    BaseName,
    /// Contains `/` (or was anchored with a leading `/`): match the path.
    Path,
}

#[derive(Debug, Clone)]
struct Rule {
    pattern: Pattern,
    negate: bool,
    must_dir: bool,
    scope: Scope,
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parses the contents of a `.helmignore` file (a leading BOM is ignored).
    pub fn parse(text: &str) -> Result<Rules, IgnoreError> {
        let mut rules = Rules::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Adds helm's default rule (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        // The default rule is well formed.
        let _ = self.add("templates/.?*");
    }

    /// Adds one rule line.
    pub fn add(&mut self, line: &str) -> Result<(), IgnoreError> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        // Go compiles the full rule (with `!` and slashes) to check it.
        Pattern::compile(rule)?;
        let mut rest = rule;
        let negate = rest.starts_with('!');
        if negate {
            rest = &rest[1..];
        }
        let must_dir = rest.ends_with('/');
        if must_dir {
            rest = &rest[..rest.len() - 1];
        }
        let (scope, glob) = if let Some(anchored) = rest.strip_prefix('/') {
            (Scope::Path, anchored)
        } else if rest.contains('/') {
            (Scope::Path, rest)
        } else {
            (Scope::BaseName, rest)
        };
        self.rules.push(Rule {
            pattern: Pattern::compile(glob)?,
            negate,
            must_dir,
            scope,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) should be left out.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            let subject = match r.scope {
                Scope::BaseName => go_base(path),
                Scope::Path => path,
            };
            if r.negate {
                if r.must_dir && !is_dir {
                    return true;
                }
                if !r.pattern.matches(subject) {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if r.pattern.matches(subject) {
                return true;
            }
        }
        false
    }
}

/// `filepath.Base` for a relative, non-empty path.
fn go_base(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Rules {
        let mut r = Rules::parse(text).unwrap();
        r.add_defaults();
        r
    }

    #[test]
    fn base_name_and_path_rules() {
        let r = rules("*.bak\n# comment\n/top.txt\ndocs/*.md\nbuild/\n");
        assert!(r.ignore("a/b/c.bak", false));
        assert!(r.ignore("top.txt", false));
        assert!(!r.ignore("sub/top.txt", false));
        assert!(r.ignore("docs/x.md", false));
        assert!(!r.ignore("other/docs/x.md", false));
        assert!(r.ignore("build", true));
        assert!(!r.ignore("build", false));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/x.yaml", false));
    }

    #[test]
    fn negation_is_helms() {
        // A non-matching negated rule ignores the path.
        let r = rules("!keep.txt\n");
        assert!(!r.ignore("keep.txt", false));
        assert!(r.ignore("other.txt", false));
    }

    #[test]
    fn errors() {
        assert_eq!(
            Rules::parse("a/**/b").unwrap_err().to_string(),
            "double-star (**) syntax is not supported"
        );
        assert_eq!(
            Rules::parse("[").unwrap_err().to_string(),
            "syntax error in pattern"
        );
    }
}
