//! The glob dialect of `.Files.Glob` (github.com/gobwas/glob with `/` as the
//! separator): `*` any run of non-`/` characters, `**` any run including
//! `/`, `?` one non-`/` character, `[a-z]`/`[!a-z]` classes, `{a,b}`
//! alternatives, `\` escapes. Outside braces `,` and `}` are literal.

/// A pattern that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError;

#[derive(Debug, Clone)]
enum Tok {
    Lit(char),
    Star,
    SuperStar,
    One,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alt(Vec<Vec<Tok>>),
}

/// A compiled glob.
#[derive(Debug, Clone)]
pub struct Glob {
    toks: Vec<Tok>,
}

impl Glob {
    pub fn compile(pattern: &str) -> Result<Glob, GlobError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let toks = parse_seq(&chars, &mut pos, false)?;
        if pos != chars.len() {
            return Err(GlobError);
        }
        Ok(Glob { toks })
    }

    /// `**`: matches every name.
    pub fn match_all() -> Glob {
        Glob {
            toks: vec![Tok::SuperStar],
        }
    }

    pub fn matches(&self, name: &str) -> bool {
        let s: Vec<char> = name.chars().collect();
        match_seq(&self.toks, &s)
    }
}

/// Parses until the end, or (inside braces) until `,` or `}` (not consumed).
fn parse_seq(p: &[char], pos: &mut usize, in_alt: bool) -> Result<Vec<Tok>, GlobError> {
    let mut toks = Vec::new();
    while *pos < p.len() {
        let c = p[*pos];
        match c {
            ',' | '}' if in_alt => return Ok(toks),
            '\\' => {
                let next = *p.get(*pos + 1).ok_or(GlobError)?;
                toks.push(Tok::Lit(next));
                *pos += 2;
            }
            '*' => {
                if p.get(*pos + 1) == Some(&'*') {
                    toks.push(Tok::SuperStar);
                    *pos += 2;
                } else {
                    toks.push(Tok::Star);
                    *pos += 1;
                }
            }
            '?' => {
                toks.push(Tok::One);
                *pos += 1;
            }
            '[' => {
                *pos += 1;
                toks.push(parse_class(p, pos)?);
            }
            '{' => {
                *pos += 1;
                let mut alts = Vec::new();
                loop {
                    alts.push(parse_seq(p, pos, true)?);
                    match p.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return Err(GlobError),
                    }
                }
                toks.push(Tok::Alt(alts));
            }
            other => {
                toks.push(Tok::Lit(other));
                *pos += 1;
            }
        }
    }
    if in_alt {
        return Err(GlobError);
    }
    Ok(toks)
}

fn parse_class(p: &[char], pos: &mut usize) -> Result<Tok, GlobError> {
    let negated = p.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let c = *p.get(*pos).ok_or(GlobError)?;
        if c == ']' {
            *pos += 1;
            break;
        }
        let lo = if c == '\\' {
            *pos += 1;
            *p.get(*pos).ok_or(GlobError)?
        } else {
            c
        };
        *pos += 1;
        if p.get(*pos) == Some(&'-') && p.get(*pos + 1).is_some_and(|c| *c != ']') {
            let hi = p[*pos + 1];
            *pos += 2;
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
    if ranges.is_empty() {
        return Err(GlobError);
    }
    Ok(Tok::Class { negated, ranges })
}

fn match_seq(toks: &[Tok], s: &[char]) -> bool {
    let Some((first, rest)) = toks.split_first() else {
        return s.is_empty();
    };
    match first {
        Tok::Lit(c) => s.first() == Some(c) && match_seq(rest, &s[1..]),
        Tok::One => s.first().is_some_and(|c| *c != '/') && match_seq(rest, &s[1..]),
        Tok::Class { negated, ranges } => match s.first() {
            Some(&c) => {
                let inside = ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
                inside != *negated && match_seq(rest, &s[1..])
            }
            None => false,
        },
        Tok::Star => {
            for i in 0..=s.len() {
                if match_seq(rest, &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    return false;
                }
            }
            false
        }
        Tok::SuperStar => (0..=s.len()).any(|i| match_seq(rest, &s[i..])),
        Tok::Alt(alts) => alts.iter().any(|alt| {
            let mut joined = alt.clone();
            joined.extend_from_slice(rest);
            match_seq(&joined, s)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn m(p: &str, s: &str) -> bool {
        Glob::compile(p).unwrap().matches(s)
    }

    #[test]
    fn gobwas_semantics() {
        assert!(m("config/*", "config/a.txt"));
        assert!(!m("config/*", "config/n/b.txt"));
        assert!(m("config/**", "config/n/b.txt"));
        assert!(m("**.yaml", "a/b/c.yaml"));
        assert!(m("config/app.*", "config/app.properties"));
        assert!(m("{a,b}/*.txt", "b/x.txt"));
        assert!(!m("{a,b}/*.txt", "c/x.txt"));
        assert!(m("[a-c]?.txt", "bx.txt"));
        assert!(!m("[!a-c]?.txt", "bx.txt"));
        assert!(m("a,b}", "a,b}"));
        assert!(Glob::compile("[abc").is_err());
        assert!(Glob::compile("{a,b").is_err());
    }
}
