//! Which command a command line names, found the way cobra finds it for
//! helm (`Command.Find`), before any flag is parsed.
//!
//! cobra walks the words that are not flags, with a rough idea of which
//! flags take a value: a `--flag` or `-f` without `=` takes the next word
//! unless the flag is a bool (or has an optional value). The help flag is
//! not defined yet at that point, so `-h` and `--help` take the next word
//! too: `helm --help install` shows the root's help, `helm -h list word`
//! fails with `unknown command "word"`. A word that is not a subcommand
//! stops the walk; on the root it is an unknown command.

use clap::{Arg, Command};

use super::go_bool_flags::{find_flag, takes_value};

/// The command found, and the words left for it (flags included).
#[derive(Debug)]
pub struct Found {
    /// Canonical names of the subcommands below the root.
    pub path: Vec<String>,
    pub rest: Vec<String>,
}

/// cobra's `Find` over `args` (without the program name). `Err` carries the
/// unknown word when the root gets one.
pub fn find(root: &Command, args: &[String]) -> Result<Found, String> {
    let mut cmd = root;
    let mut path = Vec::new();
    let mut rest = args.to_vec();
    loop {
        let words = strip_flags(root, cmd, &rest);
        let Some(next) = words.first() else { break };
        if path.is_empty() && next == "help" {
            // cobra's help command, on the root.
            rest = minus_first(root, cmd, &rest, next);
            path.push("help".to_string());
            break;
        }
        let Some(sub) = cmd.find_subcommand(next) else {
            break;
        };
        rest = minus_first(root, cmd, &rest, next);
        path.push(sub.get_name().to_string());
        cmd = sub;
    }
    if path.is_empty() {
        // cobra's `legacyArgs`: the root takes no arguments of its own.
        if let Some(word) = strip_flags(root, cmd, &rest).first() {
            return Err(word.clone());
        }
    }
    Ok(Found { path, rest })
}

/// The flag a word names among those of `cmd` and the root's global ones,
/// for a word that may take the next one as its value (`--long` or `-s`,
/// without `=`): `Some(None)` for an unknown flag. The help flag counts as
/// unknown: cobra defines it only after it has found the command.
fn flag_of_word<'a>(root: &'a Command, cmd: &'a Command, word: &str) -> Option<Option<&'a Arg>> {
    if word.contains('=') {
        return None;
    }
    let defined = |a: &Arg| a.get_long() != Some("help");
    if let Some(long) = word.strip_prefix("--") {
        return Some(find_flag(cmd, root, &|a| {
            defined(a) && a.get_long() == Some(long)
        }));
    }
    let mut chars = word.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some('-'), Some(short), None) => Some(find_flag(cmd, root, &|a| {
            defined(a) && a.get_short() == Some(short)
        })),
        _ => None,
    }
}

/// Whether `word` is a flag that cobra assumes takes the next word: one
/// that needs a value, or one it does not know.
fn takes_next(root: &Command, cmd: &Command, word: &str) -> bool {
    flag_of_word(root, cmd, word).is_some_and(|flag| flag.is_none_or(takes_value))
}

/// cobra's `stripFlags`: the words that are neither flags nor (as far as it
/// can tell) flag values. A value-taking flag with at most one word after
/// it ends the scan.
fn strip_flags(root: &Command, cmd: &Command, args: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        i += 1;
        if s == "--" {
            break;
        }
        if s.starts_with('-') && takes_next(root, cmd, s) {
            if args.len() - i <= 1 {
                break;
            }
            i += 1;
            continue;
        }
        if !s.is_empty() && !s.starts_with('-') {
            words.push(s.clone());
        }
    }
    words
}

/// cobra's `argsMinusFirstX`: `args` without the first word equal to `x`
/// that is not a flag value.
fn minus_first(root: &Command, cmd: &Command, args: &[String], x: &str) -> Vec<String> {
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        if s == "--" {
            break;
        }
        if s.starts_with('-') && takes_next(root, cmd, s) {
            i += 2;
            continue;
        }
        if !s.starts_with('-') && s == x {
            let mut out = args.to_vec();
            out.remove(i);
            return out;
        }
        i += 1;
    }
    args.to_vec()
}

/// The words of `args` that cobra's flag parsing leaves as arguments:
/// without flags and the values of flags that take one (known flags only;
/// pflag itself fails on unknown ones).
pub fn positional_words(root: &Command, cmd: &Command, args: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        i += 1;
        if s == "--" {
            words.extend(args[i..].iter().cloned());
            break;
        }
        if s.starts_with('-') && s.len() > 1 {
            let known_value_flag = flag_of_word(root, cmd, s)
                .flatten()
                .is_some_and(takes_value);
            if known_value_flag {
                i += 1;
            }
            continue;
        }
        words.push(s.clone());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ArgAction;

    fn root() -> Command {
        Command::new("r")
            .arg(
                Arg::new("debug")
                    .long("debug")
                    .global(true)
                    .action(ArgAction::SetTrue),
            )
            .arg(Arg::new("ns").short('n').long("namespace").global(true))
            .arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .global(true)
                    .action(ArgAction::SetTrue),
            )
            .subcommand(Command::new("install"))
            .subcommand(Command::new("list").alias("ls"))
            .subcommand(Command::new("repo").subcommand(Command::new("add")))
    }

    fn find_words(line: &str) -> Result<(String, String), String> {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        find(&root(), &args).map(|f| (f.path.join(" "), f.rest.join(" ")))
    }

    #[test]
    fn finds_as_cobra_does() {
        assert_eq!(find_words("install x"), Ok(("install".into(), "x".into())));
        assert_eq!(
            find_words("--debug ls"),
            Ok(("list".into(), "--debug".into()))
        );
        assert_eq!(
            find_words("-n ns repo add a"),
            Ok(("repo add".into(), "-n ns a".into()))
        );
        // The help flag takes the next word while the command is found.
        assert_eq!(
            find_words("--help install"),
            Ok(("".into(), "--help install".into()))
        );
        assert_eq!(find_words("-h list word"), Err("word".into()));
        assert_eq!(
            find_words("install --help"),
            Ok(("install".into(), "--help".into()))
        );
        assert_eq!(find_words("nope"), Err("nope".into()));
        // A group keeps an unknown word (it shows its help).
        assert_eq!(find_words("repo nope"), Ok(("repo".into(), "nope".into())));
        assert_eq!(find_words("--debug"), Ok(("".into(), "--debug".into())));
        assert_eq!(
            find_words("-n x help repo"),
            Ok(("help".into(), "-n x repo".into()))
        );
    }
}
