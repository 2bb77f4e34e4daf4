//! Help as cobra prints it for helm: `rudder template --help`, `rudder help
//! repo add`, a command group run without its subcommand (`rudder show`),
//! and the "Did you mean this?" suggestions for a mistyped command.
//!
//! The layout is cobra's default help and usage templates, and the flag
//! lists are pflag's `FlagUsages`: flags sorted by name, `-s, --long type`
//! padded to one column, the usage text, then the default. Everything that
//! describes a flag or a subcommand comes from the clap definitions; the
//! text above the usage line, the arguments of the usage line and the
//! examples come from [`super::help_texts`], generated from helm's own help.
//!
//! Which command a command line asks help for is decided by
//! [`super::command_find`]; this module also has pflag's checks of the
//! flags given to a command that only shows help (a group, `help` itself),
//! which fail before any help is printed.

use clap::{ArgAction, Command};

use super::go_bool_flags::takes_value;
use super::help_texts::{HelpText, FLAG_USAGES, HELP_TEXTS};
use super::settings::Settings;

/// cobra's `minNamePadding`: command names in "Available Commands" are
/// padded to at least this width.
const MIN_NAME_PADDING: usize = 11;

/// The command at `path` below `root` (names or aliases), if there is one.
pub fn find<'a>(root: &'a Command, path: &[String]) -> Option<&'a Command> {
    let mut cmd = root;
    for name in path {
        cmd = cmd.find_subcommand(name)?;
    }
    Some(cmd)
}

/// Whether the command at `path` is a group (cobra cannot run it: it shows
/// its help).
pub fn is_group(root: &Command, path: &[String]) -> bool {
    find(root, path).is_some_and(Command::has_subcommands)
}

fn text_of(path: &str) -> Option<&'static HelpText> {
    HELP_TEXTS.iter().find(|t| t.path == path)
}

/// The full help of the command at `path` (canonical names), as `rudder
/// PATH --help` prints it. `root` must be built.
pub fn help(root: &Command, path: &[String], settings: &Settings) -> String {
    if path == ["help"] {
        return help_command_help(root, settings);
    }
    let Some(cmd) = find(root, path) else {
        return String::new();
    };
    let text = text_of(&path.join(" "));
    let head = text
        .map(|t| t.head.to_string())
        .unwrap_or_else(|| cmd.get_about().map(|a| a.to_string()).unwrap_or_default());
    let mut out = String::new();
    let head = head.trim_end();
    if !head.is_empty() {
        out.push_str(head);
        out.push_str("\n\n");
    }
    out.push_str(&usage(root, path, settings, true));
    out
}

/// The help of cobra's `help` command (which has no clap definition).
fn help_command_help(root: &Command, settings: &Settings) -> String {
    let head = text_of("help").map_or("", |t| t.head);
    let globals: Vec<FlagLine> = root
        .get_arguments()
        .filter(|a| a.is_global_set() && !a.is_hide_set() && a.get_long() != Some("help"))
        .map(|a| flag_line(a, "", settings))
        .collect();
    let help_flag = FlagLine {
        head: "  -h, --help".to_string(),
        name: "help".to_string(),
        usage: "help for help".to_string(),
    };
    format!(
        "{head}\n\nUsage:\n  {} help [command] [flags]\n\nFlags:\n{}\n\nGlobal Flags:\n{}\n",
        root.get_name(),
        flag_usages(vec![help_flag]),
        flag_usages(globals)
    )
}

/// cobra's usage string: the usage line, aliases, examples, subcommands,
/// flags and global flags. cobra lists its `-h/--help` flag only on a
/// command it has run (or shows help for), hence `help_flag`.
pub fn usage(root: &Command, path: &[String], settings: &Settings, help_flag: bool) -> String {
    let Some(cmd) = find(root, path) else {
        return String::new();
    };
    let text = text_of(&path.join(" "));
    let command_path = std::iter::once(root.get_name())
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let has_subcommands = available_subcommands(cmd).next().is_some();
    let runnable = match text {
        Some(t) => t.use_args.is_some(),
        None => !has_subcommands,
    };
    let mut out = String::from("Usage:");
    if runnable {
        let args = text.and_then(|t| t.use_args).unwrap_or("");
        out.push_str("\n  ");
        out.push_str(&command_path);
        if !args.is_empty() {
            out.push(' ');
            out.push_str(args);
        }
        if !args.contains("[flags]") {
            out.push_str(" [flags]");
        }
    }
    if has_subcommands {
        out.push_str(&format!("\n  {command_path} [command]"));
    }
    let aliases: Vec<&str> = cmd.get_all_aliases().collect();
    if !path.is_empty() && !aliases.is_empty() {
        out.push_str(&format!(
            "\n\nAliases:\n  {}, {}",
            cmd.get_name(),
            aliases.join(", ")
        ));
    }
    if let Some(examples) = text.map(|t| t.examples).filter(|e| !e.is_empty()) {
        out.push_str("\n\nExamples:\n");
        out.push_str(examples);
    }
    if has_subcommands {
        out.push_str("\n\nAvailable Commands:");
        let mut subs: Vec<(&str, String)> = available_subcommands(cmd)
            .map(|s| {
                let short = s.get_about().map(|a| a.to_string()).unwrap_or_default();
                (s.get_name(), short)
            })
            .collect();
        if path.is_empty() {
            // cobra's own help command, added to the root.
            subs.push(("help", "Help about any command".to_string()));
        }
        subs.sort_by(|a, b| a.0.cmp(b.0));
        let padding = subs
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0)
            .max(MIN_NAME_PADDING);
        for (name, short) in subs {
            out.push_str(&format!("\n  {name:<padding$} {short}"));
        }
    }
    let (local, inherited): (Vec<&clap::Arg>, Vec<&clap::Arg>) = cmd
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set() && a.get_long() != Some("help"))
        .partition(|a| path.is_empty() || !a.is_global_set());
    let command = path.join(" ");
    let mut local: Vec<FlagLine> = local
        .into_iter()
        .map(|a| flag_line(a, &command, settings))
        .collect();
    if help_flag {
        local.push(FlagLine {
            head: "  -h, --help".to_string(),
            name: "help".to_string(),
            usage: format!("help for {}", cmd.get_name()),
        });
    }
    out.push_str("\n\nFlags:\n");
    out.push_str(&flag_usages(local));
    if !inherited.is_empty() {
        out.push_str("\n\nGlobal Flags:\n");
        out.push_str(&flag_usages(
            inherited
                .into_iter()
                .map(|a| flag_line(a, "", settings))
                .collect(),
        ));
    }
    if has_subcommands {
        out.push_str(&format!(
            "\n\nUse \"{command_path} [command] --help\" for more information about a command."
        ));
    }
    out.push('\n');
    out
}

fn available_subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// One flag of a pflag usage list, before the columns are aligned.
struct FlagLine {
    /// `  -o, --output format[=x]`
    head: String,
    name: String,
    /// The usage text with its default.
    usage: String,
}

/// `command`: the path whose usage texts describe the flag (`""` for the
/// global flags).
fn flag_line(arg: &clap::Arg, command: &str, settings: &Settings) -> FlagLine {
    let long = arg.get_long().unwrap_or_default();
    let mut head = match arg.get_short() {
        Some(s) => format!("  -{s}, --{long}"),
        None => format!("      --{long}"),
    };
    let type_name = arg
        .get_value_names()
        .and_then(|v| v.first())
        .map(|v| v.to_string())
        .unwrap_or_default();
    // A pflag bool: clap's switches, and the bools that take `=VALUE`.
    let is_bool =
        matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse) || type_name == "bool";
    if !is_bool && !type_name.is_empty() {
        head.push(' ');
        head.push_str(&type_name);
    }
    // pflag's NoOptDefVal: the value of a flag given without one.
    if let Some(no_value) = no_option_default(arg) {
        if type_name == "string" {
            head.push_str(&format!("[=\"{no_value}\"]"));
        } else if !is_bool || no_value != "true" {
            head.push_str(&format!("[={no_value}]"));
        }
    }
    // helm's words where it has the flag; rudder's own flags describe
    // themselves.
    let mut usage = FLAG_USAGES
        .iter()
        .find(|(path, name, _)| *path == command && *name == long)
        .map(|(_, _, usage)| usage.to_string())
        .unwrap_or_else(|| arg.get_help().map(|h| h.to_string()).unwrap_or_default());
    if let Some(default) = environment_default(long, settings) {
        usage.push_str(&format!(" (default {})", go_quote(&default)));
    }
    FlagLine {
        head,
        name: long.to_string(),
        usage,
    }
}

/// The value of a flag with an optional value when it is given without one
/// (pflag's `NoOptDefVal`; clap has no getter for `default_missing_value`).
fn no_option_default(arg: &clap::Arg) -> Option<&'static str> {
    if !arg.get_action().takes_values() || arg.get_num_args().is_none_or(|n| n.min_values() > 0) {
        return None;
    }
    match arg.get_long()? {
        "dry-run" => Some("unset"),
        "wait" => Some("watcher"),
        "server-side" => Some("true"),
        _ => None,
    }
}

/// Defaults helm computes from the environment when it defines the flag
/// (the helm home directories, the GnuPG keyring).
fn environment_default(long: &str, settings: &Settings) -> Option<String> {
    let path = match long {
        "content-cache" => settings.content_cache.clone(),
        "registry-config" => settings.registry_config.clone(),
        "repository-cache" => settings.repository_cache.clone(),
        "repository-config" => settings.repository_config.clone(),
        "keyring" => super::verify::keyring_path(None),
        _ => return None,
    };
    Some(path.to_string_lossy().into_owned())
}

/// Go's `%q` for the plain strings defaults are.
fn go_quote(s: &str) -> String {
    rudder::values::strvals::go_quote(s)
}

/// pflag's `FlagUsages`: sorted by name, the usage texts in one column two
/// spaces after the longest flag, continuation lines indented to it.
fn flag_usages(mut lines: Vec<FlagLine>) -> String {
    lines.sort_by(|a, b| a.name.cmp(&b.name));
    // pflag counts the separator it puts after each head, hence the +1.
    let width = lines.iter().map(|l| l.head.len() + 1).max().unwrap_or(0);
    let mut out = String::new();
    for l in &lines {
        let spacing = " ".repeat(width - l.head.len());
        let indent = format!("\n{}", " ".repeat(width + 2));
        out.push_str(&format!(
            "{} {} {}\n",
            l.head,
            spacing,
            l.usage.replace('\n', &indent)
        ));
    }
    out.trim_end().to_string()
}

/// pflag's error for the first flag in `args` that the command of the help
/// command (the root's flags and `-h`) does not take. `root` must be built.
pub fn flag_error(root: &Command, args: &[String]) -> Option<String> {
    flag_error_in(root, args)
}

/// pflag's error for the first flag in `args` that the command at `path`
/// does not take (its own, the global ones and `-h`). `root` must be built.
pub fn flag_error_below(root: &Command, path: &[String], args: &[String]) -> Option<String> {
    flag_error_in(find(root, path)?, args)
}

fn flag_error_in(cmd: &Command, args: &[String]) -> Option<String> {
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        i += 1;
        if s == "--" {
            return None;
        }
        if let Some(long) = s.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            if name == "help" {
                continue;
            }
            let Some(arg) = cmd.get_arguments().find(|a| a.get_long() == Some(name)) else {
                return Some(format!("unknown flag: --{name}"));
            };
            if takes_value(arg) && value.is_none() {
                if i >= args.len() {
                    return Some(format!("flag needs an argument: --{name}"));
                }
                i += 1;
            }
            continue;
        }
        let Some(shorts) = s.strip_prefix('-').filter(|t| !t.is_empty()) else {
            continue;
        };
        for (at, c) in shorts.char_indices() {
            if c == 'h' {
                continue;
            }
            let Some(arg) = cmd.get_arguments().find(|a| a.get_short() == Some(c)) else {
                return Some(format!("unknown shorthand flag: '{c}' in {s}"));
            };
            if takes_value(arg) {
                if at + c.len_utf8() == shorts.len() {
                    if i >= args.len() {
                        return Some(format!("flag needs an argument: '{c}' in {s}"));
                    }
                    i += 1;
                }
                break;
            }
        }
    }
    None
}

/// cobra's suggestions for an unknown command below `cmd`: subcommands
/// whose names are within Levenshtein distance 2 (ignoring case) or start
/// with what was typed, in the order helm adds them.
pub fn suggestions(cmd: &Command, typed: &str) -> Vec<String> {
    let typed_lower = typed.to_lowercase();
    let mut found: Vec<(usize, String)> = available_subcommands(cmd)
        .filter(|s| {
            let name = s.get_name().to_lowercase();
            levenshtein(&typed_lower, &name) <= 2 || name.starts_with(&typed_lower)
        })
        .map(|s| (helm_order(s.get_name()), s.get_name().to_string()))
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

/// The order in which helm's root command adds its subcommands (cobra
/// lists suggestions in that order).
fn helm_order(name: &str) -> usize {
    const ORDER: &[&str] = &[
        "create",
        "dependency",
        "pull",
        "show",
        "lint",
        "package",
        "repo",
        "search",
        "verify",
        "get",
        "history",
        "install",
        "list",
        "test",
        "rollback",
        "status",
        "template",
        "uninstall",
        "upgrade",
        "completion",
        "env",
        "plugin",
        "version",
        "registry",
        "push",
    ];
    ORDER.iter().position(|n| *n == name).unwrap_or(ORDER.len())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `unknown command "x" for "rudder"` with cobra's suggestions.
pub fn unknown_command(root: &Command, typed: &str) -> String {
    let mut msg = format!("unknown command \"{typed}\" for \"{}\"", root.get_name());
    let suggestions = suggestions(root, typed);
    if !suggestions.is_empty() {
        msg.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            msg.push_str(&format!("\t{s}\n"));
        }
    }
    msg.push_str(&format!("\nRun '{} --help' for usage.", root.get_name()));
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_distances() {
        assert_eq!(levenshtein("templat", "template"), 1);
        assert_eq!(levenshtein("lis", "lint"), 2);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn flag_columns_as_pflag_aligns_them() {
        let lines = vec![
            FlagLine {
                head: "  -h, --help".into(),
                name: "help".into(),
                usage: "help for bash".into(),
            },
            FlagLine {
                head: "      --no-descriptions".into(),
                name: "no-descriptions".into(),
                usage: "disable completion descriptions".into(),
            },
        ];
        assert_eq!(
            flag_usages(lines),
            "  -h, --help              help for bash\n      --no-descriptions   disable completion descriptions"
        );
    }
}
