//! pflag's boolean flags, ahead of clap.
//!
//! A Go bool flag is given bare (`--include-crds`) or with a value after
//! `=` (`--include-crds=false`, `-g=true`), parsed by `strconv.ParseBool`;
//! a value after a space is not the flag's (it stays an argument). clap's
//! derived `bool` fields are `SetTrue` flags that refuse any value, so
//! pipelines written for helm (`--skip-tests=false`) failed.
//!
//! Rather than rewriting every flag of the command tree (which builds a
//! second copy of it on every run), the command line is rewritten before
//! clap sees it: `--flag=true` becomes `--flag`, and `--flag=false` drops
//! the flag (with its earlier occurrences: the last one wins, as in pflag).

use std::ffi::OsString;

use clap::{Arg, ArgAction, Command};

/// The command line with its bool flags' `=VALUE` forms resolved, or
/// pflag's error for a value `strconv.ParseBool` refuses. Flags are looked
/// up in the subcommand the arguments name so far (and the root's global
/// flags); anything after `--` is left alone.
pub fn resolve_bool_values(
    root: &Command,
    args: Vec<OsString>,
) -> Result<Vec<OsString>, RefusedValue> {
    // `None`: a token dropped by a later `--flag=false`.
    let mut out: Vec<Option<OsString>> = Vec::with_capacity(args.len());
    // Which flag each bare bool token in `out` stands for (by its long name).
    let mut bare: Vec<(usize, String)> = Vec::new();
    // clap adds the help flag only when it builds the command.
    let help = Arg::new("help")
        .short('h')
        .long("help")
        .action(ArgAction::Help);
    let mut current = root;
    let mut value_follows = false;
    let mut rest = args.into_iter();
    out.extend(rest.next().map(Some));
    for arg in rest.by_ref() {
        let Some(text) = arg.to_str().map(str::to_string) else {
            out.push(Some(arg));
            value_follows = false;
            continue;
        };
        if value_follows {
            value_follows = false;
            out.push(Some(arg));
            continue;
        }
        if text == "--" {
            out.push(Some(arg));
            break;
        }
        let (flag, value) = match text.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (text.as_str(), None),
        };
        let find = |matches: &dyn Fn(&Arg) -> bool| {
            find_flag(current, root, matches).or_else(|| Some(&help).filter(|h| matches(h)))
        };
        let found = if let Some(long) = flag.strip_prefix("--") {
            find(&|a| a.get_long() == Some(long))
        } else if let Some(short) = flag.strip_prefix('-').filter(|s| s.chars().count() == 1) {
            let c = short.chars().next();
            find(&|a| a.get_short() == c)
        } else {
            None
        };
        match found {
            Some(a) if is_bool(a) && value == Some("") && !flag.starts_with("--") => {
                // pflag takes `-r=` as `-r` then the shorthand `=`.
                return Err(RefusedValue {
                    message: "unknown shorthand flag: '=' in -=".to_string(),
                    before: out.into_iter().flatten().collect(),
                });
            }
            Some(a) if is_bool(a) => {
                let long = a.get_long().unwrap_or_default().to_string();
                match value.map(|v| parse_go_bool(v).ok_or(v)) {
                    None | Some(Ok(true)) => {
                        bare.push((out.len(), long));
                        out.push(Some(if value.is_some() {
                            OsString::from(flag)
                        } else {
                            arg
                        }));
                    }
                    Some(Ok(false)) => {
                        // Unset: drop the earlier occurrences of this flag.
                        for (i, _) in bare.iter().filter(|(_, l)| *l == long) {
                            out[*i] = None;
                        }
                    }
                    Some(Err(bad)) => {
                        return Err(RefusedValue {
                            message: invalid_bool(a, bad),
                            before: out.into_iter().flatten().collect(),
                        })
                    }
                }
            }
            Some(a) => {
                value_follows = value.is_none() && takes_value(a);
                out.push(Some(arg));
            }
            None => {
                if !text.starts_with('-') {
                    if let Some(sub) = current.find_subcommand(&text) {
                        current = sub;
                    }
                }
                out.push(Some(arg));
            }
        }
    }
    Ok(out.into_iter().flatten().chain(rest).collect())
}

/// The flag `--LONG` of the subcommand `args` name (or a global flag of
/// `root`), for naming it in an error.
pub fn flag_by_long<'a>(root: &'a Command, args: &[String], long: &str) -> Option<&'a Arg> {
    let mut current = root;
    for arg in args.iter().skip(1).take_while(|a| *a != "--") {
        if let Some(sub) = current.find_subcommand(arg) {
            current = sub;
        }
    }
    find_flag(current, root, &|a| a.get_long() == Some(long))
}

/// How pflag names a flag in its errors: `-o, --output` when it has a
/// shorthand (whichever spelling was used), else `--name`.
pub fn pflag_name(arg: &Arg) -> String {
    let long = arg.get_long().unwrap_or_default();
    match arg.get_short() {
        Some(c) => format!("-{c}, --{long}"),
        None => format!("--{long}"),
    }
}

/// A bool flag's value that `strconv.ParseBool` refuses.
#[derive(Debug)]
pub struct RefusedValue {
    /// pflag's error text (without `Error: `).
    pub message: String,
    /// The command line before the flag, resolved: pflag stops at the first
    /// error, so one that clap finds in there is reported instead.
    pub before: Vec<OsString>,
}

/// The flag `matches` picks among those of `current` and the root's global
/// ones (a command not yet built does not list those itself).
pub fn find_flag<'a>(
    current: &'a Command,
    root: &'a Command,
    matches: &dyn Fn(&Arg) -> bool,
) -> Option<&'a Arg> {
    current.get_arguments().find(|a| matches(a)).or_else(|| {
        root.get_arguments()
            .find(|a| a.is_global_set() && matches(a))
    })
}

/// A bool in pflag: the `SetTrue` flags and `-h/--help` (cobra's help
/// flag is a bool too: `--help=false` runs the command).
fn is_bool(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        ArgAction::SetTrue | ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong
    )
}

/// Whether the flag needs a value (not a switch, nor a flag whose value is
/// optional): pflag then takes the next word as it.
pub fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values() && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
}

/// pflag's text for a refused bool value: `invalid argument "V" for
/// "-s, --name" flag: strconv.ParseBool: parsing "V": invalid syntax`.
fn invalid_bool(arg: &Arg, value: &str) -> String {
    let name = pflag_name(arg);
    format!(
        "invalid argument \"{value}\" for \"{name}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
    )
}

/// `strconv.ParseBool`.
pub fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> Command {
        Command::new("rudder")
            .arg(
                Arg::new("debug")
                    .long("debug")
                    .global(true)
                    .action(ArgAction::SetTrue),
            )
            .arg(
                Arg::new("namespace")
                    .short('n')
                    .long("namespace")
                    .global(true),
            )
            .subcommand(
                Command::new("template")
                    .arg(
                        Arg::new("include-crds")
                            .long("include-crds")
                            .action(ArgAction::SetTrue),
                    )
                    .arg(
                        Arg::new("gen")
                            .short('g')
                            .long("generate-name")
                            .action(ArgAction::SetTrue),
                    )
                    .arg(Arg::new("set").long("set").action(ArgAction::Append))
                    .arg(Arg::new("args").num_args(0..)),
            )
    }

    fn resolve(line: &str) -> Result<String, String> {
        let args = line.split(' ').map(OsString::from).collect();
        resolve_bool_values(&cli(), args)
            .map_err(|e| e.message)
            .map(|v| {
                v.iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    }

    #[test]
    fn strconv_spellings() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(t), Some(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(f), Some(false), "{f}");
        }
        for bad in ["", "yes", "tRuE", "2", " true"] {
            assert_eq!(parse_go_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn values_after_equals_are_resolved() {
        assert_eq!(
            resolve("r template x c --include-crds=true -g=1 --debug=T").unwrap(),
            "r template x c --include-crds -g --debug"
        );
        assert_eq!(
            resolve("r template x c --include-crds=false -g=0").unwrap(),
            "r template x c"
        );
        assert_eq!(
            resolve("r template -h=false x --help=1").unwrap(),
            "r template x --help"
        );
        // The last one wins.
        assert_eq!(
            resolve("r template --include-crds -g x --include-crds=False c").unwrap(),
            "r template -g x c"
        );
        assert_eq!(
            resolve("r template --include-crds=0 x --include-crds c").unwrap(),
            "r template x --include-crds c"
        );
    }

    #[test]
    fn other_arguments_are_left_alone() {
        for line in [
            // a value after a space is an argument
            "r template x c --include-crds false",
            // flag values, even ones that look like flags or commands
            "r -n template template x c",
            "r template --set a=b=c x c",
            "r template x c -- --include-crds=false",
            // not a bool flag of this command
            "r --include-crds=false template",
            "r template -n= x c",
            "r template --unknown=1",
        ] {
            assert_eq!(resolve(line).unwrap(), line);
        }
    }

    #[test]
    fn refused_values_name_the_flag_as_pflag_does() {
        assert_eq!(
            resolve("r template x c -g=yes").unwrap_err(),
            "invalid argument \"yes\" for \"-g, --generate-name\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
        assert_eq!(
            resolve("r template -g=").unwrap_err(),
            "unknown shorthand flag: '=' in -="
        );
        assert_eq!(
            resolve("r template --include-crds=").unwrap_err(),
            "invalid argument \"\" for \"--include-crds\" flag: strconv.ParseBool: parsing \"\": invalid syntax"
        );
    }
}
