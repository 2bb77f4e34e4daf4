//! The thin command-line layer: parse with clap, call the library, print.
//!
//! Every command lives in its own file with an `Args` struct and
//! `run(args, &Settings) -> anyhow::Result<()>`. To add a command: add
//! `mod x;`, one variant to [`Commands`] and one arm in [`dispatch`].
//! Errors are printed once, here, as helm prints them: `Error: <msg>` on
//! stderr and exit status 1.

use std::io::Write;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub mod chart_path;
mod command_find;
mod completion;
mod create;
mod dependency;
mod diagnostics;
mod env;
mod flag_rules;
mod get;
mod go_bool_flags;
mod help;
#[rustfmt::skip]
mod help_texts;
mod history;
mod install;
mod lint;
mod list;
mod logger;
mod output;
mod package;
mod package_sign;
mod pull;
mod push;
mod registry;
mod release_common;
mod repo;
mod repo_add;
mod rollback;
mod search;
pub mod settings;
mod show;
mod status;
mod template;
mod test;
mod uninstall;
mod upgrade;
pub mod values_args;
mod verify;
mod version;

use settings::{GlobalArgs, Settings};

const ABOUT: &str = "The Kubernetes package manager";

const LONG_ABOUT: &str = "The Kubernetes package manager

Common actions for rudder:

- rudder search:    search for charts
- rudder pull:      download a chart to your local directory to view
- rudder install:   upload the chart to Kubernetes
- rudder list:      list releases of charts

rudder reads the same environment variables and files as helm
(HELM_CACHE_HOME, HELM_CONFIG_HOME, HELM_DATA_HOME, HELM_NAMESPACE, ...).";

/// The root command: [`Cli`], and the roots of the one-command trees
/// ([`TemplateCli`]), so they cannot differ.
macro_rules! root_command {
    ($(#[$doc:meta])* $name:ident, $commands:ty) => {
        $(#[$doc])*
        #[derive(Parser, Debug)]
        #[command(
            name = "rudder",
            about = ABOUT,
            long_about = LONG_ABOUT,
            disable_version_flag = true,
            // Help is cobra's (see `help.rs`), from the `-h/--help` global flag.
            disable_help_flag = true,
            disable_help_subcommand = true,
            arg_required_else_help = true,
            subcommand_required = true,
            // pflag takes the last of a repeated flag.
            args_override_self = true
        )]
        pub struct $name {
            #[command(flatten)]
            pub global: GlobalArgs,
            #[command(subcommand)]
            pub command: $commands,
        }
    };
}

root_command!(Cli, Commands);

root_command!(
    /// The root with `template` alone. Building every command's flags is
    /// about half of clap's work at start-up (~0.5 ms), so a command line
    /// that starts with `template` is parsed with this tree first; anything
    /// but a clean parse (an error, help) starts over with the whole tree,
    /// so its messages stay those of [`Cli`].
    TemplateCli,
    TemplateOnly
);

#[derive(Subcommand, Debug)]
pub enum TemplateOnly {
    /// locally render templates
    Template(template::Args),
}

impl From<TemplateCli> for Cli {
    fn from(fast: TemplateCli) -> Cli {
        let TemplateOnly::Template(args) = fast.command;
        Cli {
            global: fast.global,
            command: Commands::Template(args),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Commands {
    /// generate autocompletion scripts for the specified shell
    Completion(completion::Args),
    /// create a new chart with the given name
    Create(create::Args),
    /// rudder client environment information
    Env(env::Args),
    /// manage a chart's dependencies
    #[command(alias = "dep", alias = "dependencies")]
    Dependency(dependency::Args),
    /// download extended information of a named release
    Get(get::Args),
    /// fetch release history
    #[command(alias = "hist")]
    History(history::Args),
    /// install a chart
    Install(install::Args),
    /// examine a chart for possible issues
    Lint(lint::Args),
    /// list releases
    #[command(alias = "ls")]
    List(list::Args),
    /// package a chart directory into a chart archive
    Package(package::Args),
    /// download a chart from a repository and (optionally) unpack it in local directory
    #[command(alias = "fetch")]
    Pull(pull::Args),
    /// push a chart to remote
    Push(push::Args),
    /// login to or logout from a registry
    Registry(registry::Args),
    /// add, list, remove, update, and index chart repositories
    Repo(repo::Args),
    /// roll back a release to a previous revision
    Rollback(rollback::Args),
    /// search for a keyword in charts
    Search(search::Args),
    /// show information of a chart
    #[command(alias = "inspect")]
    Show(show::Args),
    /// display the status of the named release
    Status(status::Args),
    /// locally render templates
    Template(template::Args),
    /// run tests for a release
    Test(test::Args),
    /// uninstall a release
    #[command(aliases = ["del", "delete", "un"])]
    Uninstall(uninstall::Args),
    /// upgrade a release
    Upgrade(upgrade::Args),
    /// verify that a chart at the given path has been signed and is valid
    Verify(verify::Args),
    /// print the rudder version information
    Version(version::Args),
}

fn dispatch(command: Commands, settings: &Settings) -> anyhow::Result<()> {
    match command {
        Commands::Completion(a) => completion::run(a, settings),
        Commands::Create(a) => create::run(a, settings),
        Commands::Env(a) => env::run(a, settings),
        Commands::Dependency(a) => dependency::run(a, settings),
        Commands::Get(a) => get::run(a, settings),
        Commands::History(a) => history::run(a, settings),
        Commands::Install(a) => install::run(a, settings),
        Commands::Lint(a) => lint::run(a, settings),
        Commands::List(a) => list::run(a, settings),
        Commands::Package(a) => package::run(a, settings),
        Commands::Pull(a) => pull::run(a, settings),
        Commands::Push(a) => push::run(a, settings),
        Commands::Registry(a) => registry::run(a, settings),
        Commands::Repo(a) => repo::run(a, settings),
        Commands::Rollback(a) => rollback::run(a, settings),
        Commands::Search(a) => search::run(a, settings),
        Commands::Show(a) => show::run(a, settings),
        Commands::Status(a) => status::run(a, settings),
        Commands::Template(a) => template::run(a, settings),
        Commands::Test(a) => test::run(a, settings),
        Commands::Uninstall(a) => uninstall::run(a, settings),
        Commands::Upgrade(a) => upgrade::run(a, settings),
        Commands::Verify(a) => verify::run(a, settings),
        Commands::Version(a) => version::run(a, settings),
    }
}

/// An error that helm prints followed by a usage line (wrong argument count).
#[derive(Debug)]
pub struct UsageError {
    message: String,
    usage: String,
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n\nUsage:  {}", self.message, self.usage)
    }
}

impl std::error::Error for UsageError {}

/// `"rudder create" requires 1 argument` + the usage line, as cobra prints it.
pub fn usage_error(message: &str, usage: &str) -> anyhow::Error {
    anyhow::Error::new(UsageError {
        message: message.to_string(),
        usage: usage.to_string(),
    })
}

/// Checks an exact positional count with helm's wording.
#[allow(dead_code)]
pub fn exact_args(args: &[String], n: usize, cmd: &str, usage: &str) -> anyhow::Result<()> {
    if args.len() == n {
        return Ok(());
    }
    let plural = if n == 1 { "" } else { "s" };
    Err(usage_error(
        &format!("\"{cmd}\" requires {n} argument{plural}"),
        usage,
    ))
}

/// Checks a minimum positional count with helm's wording.
#[allow(dead_code)]
pub fn minimum_args(args: &[String], n: usize, cmd: &str, usage: &str) -> anyhow::Result<()> {
    if args.len() >= n {
        return Ok(());
    }
    let plural = if n == 1 { "" } else { "s" };
    Err(usage_error(
        &format!("\"{cmd}\" requires at least {n} argument{plural}"),
        usage,
    ))
}

pub fn run() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "unexpected failure".to_string()
        };
        eprintln!("Error: internal error: {msg}");
    }));
    match std::panic::catch_unwind(run_inner) {
        Ok(code) => code,
        Err(_) => ExitCode::FAILURE,
    }
}

/// The command tree: [`Cli`] without clap's own help flags and help
/// subcommands (cobra's `-h/--help` is a global flag of [`GlobalArgs`]).
///
/// A flag that takes a value takes the next word whatever it looks like,
/// as in pflag (`-n --help` names the namespace `--help`).
fn cli_command() -> clap::Command {
    as_cobra(Cli::command())
}

fn as_cobra(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_flag(true)
        .disable_help_subcommand(true)
        .mut_args(|a| {
            if !a.is_positional() && go_bool_flags::takes_value(&a) {
                a.allow_hyphen_values(true)
            } else {
                a
            }
        })
        .mut_subcommands(as_cobra)
}

/// A copy of the tree with every subcommand built (knowing the global
/// flags), as the help renderer reads it. Only for help and errors: building
/// all of it is work a normal run does not need.
fn built(command: &clap::Command) -> clap::Command {
    let mut command = command.clone();
    command.build();
    command
}

/// A clean parse of a `template` line with the one-command tree
/// ([`TemplateCli`]): the command to run, or `None` for the whole tree to
/// parse the line again and report what it finds (an error, help).
fn parse_template_line(words: &[String]) -> Option<Cli> {
    let mut command = as_cobra(TemplateCli::command());
    let found = command_find::find(&command, words).ok()?;
    if found.path != ["template"] {
        return None;
    }
    let args = go_bool_flags::resolve_bool_values(&command, std::env::args_os().collect()).ok()?;
    let matches = command.try_get_matches_from_mut(args).ok()?;
    let cli = Cli::from(TemplateCli::from_arg_matches(&matches).ok()?);
    (!cli.global.help).then_some(cli)
}

/// Parses the command line with the whole tree, as cobra would: the
/// command to run, or the exit code of what was done instead (help, an
/// error). The tree and the matches (a few hundred KiB the command never
/// reads again) are freed on return, before the command reaches its peak.
fn parse_full(words: &[String]) -> Result<Cli, ExitCode> {
    let mut command = cli_command();
    // cobra finds the command before it parses any flag.
    let found = match command_find::find(&command, words) {
        Ok(found) => found,
        Err(word) => {
            let msg = help::unknown_command(&command, &word);
            let _ = writeln!(std::io::stderr().lock(), "Error: {msg}");
            return Err(ExitCode::FAILURE);
        }
    };
    if found.path == ["help"] {
        return Err(help_command(&built(&command), &found.rest));
    }
    let args = match go_bool_flags::resolve_bool_values(&command, std::env::args_os().collect()) {
        Ok(args) => args,
        Err(refused) => {
            // An error pflag meets earlier on the command line comes first.
            if let Err(e) = command.clone().try_get_matches_from(&refused.before) {
                if matches!(
                    e.kind(),
                    ErrorKind::UnknownArgument
                        | ErrorKind::InvalidSubcommand
                        | ErrorKind::InvalidValue
                        | ErrorKind::ValueValidation
                        | ErrorKind::NoEquals
                ) {
                    return Err(report_clap_error(&built(&command), e, &found));
                }
            }
            let _ = writeln!(std::io::stderr().lock(), "Error: {}", refused.message);
            return Err(ExitCode::FAILURE);
        }
    };
    let matches = match command.try_get_matches_from_mut(args) {
        Ok(m) => m,
        Err(e) => return Err(report_clap_error(&built(&command), e, &found)),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return Err(report_clap_error(&built(&command), e, &found)),
    };
    // Help, or a command group (which cobra cannot run), as found by cobra.
    if cli.global.help || help::is_group(&command, &found.path) {
        return Err(print_help(&built(&command), &found.path));
    }
    Ok(cli)
}

fn run_inner() -> ExitCode {
    let words: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let fast = match words.first() {
        Some(w) if w == "template" => parse_template_line(&words),
        _ => None,
    };
    let cli = match fast {
        Some(cli) => cli,
        None => match parse_full(&words) {
            Ok(cli) => cli,
            Err(code) => return code,
        },
    };
    let settings = Settings::from_env(&cli.global);
    // helm rejects a bad --color before running the command, with a log
    // line rather than an `Error:` line.
    let flag_modes = [&cli.global.color, &cli.global.colour];
    if let Some(Err(e)) = flag_modes
        .iter()
        .filter_map(|m| m.as_deref())
        .map(settings::validate_color)
        .find(|r| r.is_err())
    {
        let _ = writeln!(
            std::io::stderr().lock(),
            "level=WARN msg=\"command failed\" error={e:?}"
        );
        return ExitCode::FAILURE;
    }
    if let Some(line) = release_common::driver_init_failure() {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
        return ExitCode::FAILURE;
    }
    match dispatch(cli.command, &settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e),
    }
}

/// Prints an error as helm does: `Error: <message>` on stderr, exit 1.
pub fn report_error(e: &anyhow::Error) -> ExitCode {
    // A closed stdout (`rudder show values x | head`) is not an error worth reporting.
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
    }
    // Library errors carry helm's full text in `Display`; walking the
    // source chain as well would repeat wrapped messages.
    let _ = writeln!(std::io::stderr().lock(), "Error: {e}");
    if let Some(d) = e.downcast_ref::<diagnostics::WithSnippet>() {
        let _ = write!(std::io::stderr().lock(), "\n{}", d.snippet);
    }
    ExitCode::FAILURE
}

fn context_str(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => v.first().cloned(),
        _ => None,
    }
}

/// Prints the help of the command at `path` on stdout, as cobra does.
fn print_help(command: &clap::Command, path: &[String]) -> ExitCode {
    let settings = Settings::from_env(&GlobalArgs::default());
    let text = help::help(command, path, &settings);
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}

/// cobra's `help` command, given the words after `help`: the help of the
/// command they name, or a note and the root's usage on stderr when they
/// name none. `command` must be built.
fn help_command(command: &clap::Command, rest: &[String]) -> ExitCode {
    if let Some(e) = help::flag_error(command, rest) {
        let _ = writeln!(std::io::stderr().lock(), "Error: {e}");
        return ExitCode::FAILURE;
    }
    if asks_for_help(rest) {
        return print_help(command, &["help".to_string()]);
    }
    let topics = command_find::positional_words(command, command, rest);
    match command_find::find(command, &topics) {
        Ok(found) => print_help(command, &found.path),
        Err(_) => {
            let settings = Settings::from_env(&GlobalArgs::default());
            let shown: Vec<String> = topics.iter().map(|t| go_backquote(t)).collect();
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "Unknown help topic [{}]", shown.join(" "));
            let _ = err.write_all(help::usage(command, &[], &settings, false).as_bytes());
            ExitCode::SUCCESS
        }
    }
}

/// Go's `%#q`: backquoted when it can be, else double-quoted.
fn go_backquote(s: &str) -> String {
    if s.contains('`') || s.chars().any(|c| c.is_control() && c != '\t') {
        rudder::values::strvals::go_quote(s)
    } else {
        format!("`{s}`")
    }
}

/// Whether the command line asks for help (`-h`, `--help`, `--help=true`).
/// The last `-h`/`--help[=BOOL]` wins, as pflag sets a flag each time.
fn asks_for_help(words: &[String]) -> bool {
    let mut help = false;
    for w in words.iter().take_while(|w| w.as_str() != "--") {
        match w.as_str() {
            "-h" | "--help" => help = true,
            other => {
                if let Some(v) = other
                    .strip_prefix("--help=")
                    .and_then(go_bool_flags::parse_go_bool)
                    .or_else(|| {
                        other
                            .strip_prefix("-h=")
                            .and_then(go_bool_flags::parse_go_bool)
                    })
                {
                    help = v;
                }
            }
        }
    }
    help
}

/// Maps clap's parse errors onto cobra/pflag's messages, and shows help
/// where cobra would: for a command group (which clap wants a subcommand
/// of) and for a request for help that clap stopped short of. `command`
/// must be built; `found` is the command cobra found.
fn report_clap_error(
    command: &clap::Command,
    e: clap::Error,
    found: &command_find::Found,
) -> ExitCode {
    // clap reports an extra argument as unknown too; pflag does not.
    let extra_argument = e.kind() == ErrorKind::UnknownArgument
        && context_str(&e, ContextKind::InvalidArg).is_some_and(|a| !a.starts_with('-'));
    let flag_error = !extra_argument
        && matches!(
            e.kind(),
            ErrorKind::UnknownArgument
                | ErrorKind::InvalidValue
                | ErrorKind::ValueValidation
                | ErrorKind::NoEquals
        );
    let is_group = help::is_group(command, &found.path);
    match e.kind() {
        ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        _ if is_group || (!flag_error && asks_for_help(&found.rest)) => {
            // pflag still fails on a flag the command does not have.
            if let Some(msg) = help::flag_error_below(command, &found.path, &found.rest) {
                let _ = writeln!(std::io::stderr().lock(), "Error: {msg}");
                return ExitCode::FAILURE;
            }
            return print_help(command, &found.path);
        }
        _ => {}
    }
    // `--burst-limit <int>` -> `--burst-limit`
    let flag = context_str(&e, ContextKind::InvalidArg)
        .map(|s| s.split([' ', '=']).next().unwrap_or("").to_string())
        .unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::UnknownArgument => {
            if let Some(short) = flag.strip_prefix('-').filter(|s| !s.starts_with('-')) {
                // pflag names the whole cluster of short flags (`-bad`).
                let cluster = std::env::args()
                    .skip(1)
                    .take_while(|a| a != "--")
                    .find(|a| {
                        a.strip_prefix('-')
                            .is_some_and(|s| !s.starts_with('-') && s.contains(short))
                    })
                    .unwrap_or_else(|| flag.clone());
                format!("unknown shorthand flag: '{short}' in {cluster}")
            } else {
                format!("unknown flag: {flag}")
            }
        }
        ErrorKind::InvalidSubcommand => {
            let name = context_str(&e, ContextKind::InvalidSubcommand).unwrap_or_default();
            help::unknown_command(command, &name)
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = context_str(&e, ContextKind::InvalidValue).unwrap_or_default();
            if value.is_empty() {
                missing_value(&flag, found.rest.last())
            } else {
                let detail = go_parse_detail(e.source(), &value);
                let flag = pflag_name(&flag);
                format!("invalid argument \"{value}\" for \"{flag}\" flag: {detail}")
            }
        }
        ErrorKind::NoEquals => format!("flag needs an argument: {flag}"),
        _ => {
            let rendered = e.to_string();
            let first = rendered.lines().next().unwrap_or("").to_string();
            first
                .strip_prefix("error: ")
                .map(str::to_string)
                .unwrap_or(first)
        }
    };
    let _ = writeln!(std::io::stderr().lock(), "Error: {message}");
    ExitCode::FAILURE
}

/// pflag's error for a flag without its value, which (as a value-taking
/// flag takes whatever word follows) is the last word of the command line:
/// a shorthand is named as typed, `'f' in -f` (or in a cluster, `-nf`).
fn missing_value(flag: &str, last: Option<&String>) -> String {
    if let Some(last) = last.filter(|l| l.starts_with('-') && !l.starts_with("--")) {
        if let Some(c) = last.chars().last() {
            return format!("flag needs an argument: '{c}' in {last}");
        }
    }
    format!("flag needs an argument: {flag}")
}

/// How pflag names a flag in its errors (see [`go_bool_flags::pflag_name`]),
/// looked up in the subcommand the command line names.
fn pflag_name(flag: &str) -> String {
    let root = Cli::command();
    let args: Vec<String> = std::env::args().collect();
    flag.strip_prefix("--")
        .and_then(|long| go_bool_flags::flag_by_long(&root, &args, long))
        .map_or_else(|| flag.to_string(), go_bool_flags::pflag_name)
}

/// Go's strconv wording for a flag value that failed to parse.
fn go_parse_detail(source: Option<&(dyn std::error::Error + 'static)>, value: &str) -> String {
    let Some(source) = source else {
        return "invalid syntax".to_string();
    };
    if let Some(int) = source.downcast_ref::<std::num::ParseIntError>() {
        let why = match int.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        return format!("strconv.ParseInt: parsing \"{value}\": {why}");
    }
    if source.is::<std::num::ParseFloatError>() {
        return format!("strconv.ParseFloat: parsing \"{value}\": invalid syntax");
    }
    source.to_string()
}

use std::error::Error as _;

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything clap knows of an argument that parsing or help could read.
    fn describe(a: &clap::Arg) -> String {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}",
            a.get_id(),
            a.get_long(),
            a.get_short(),
            a.get_help().map(|h| h.to_string()),
            a.get_value_names(),
            a.get_num_args(),
            a.get_action(),
            a.get_default_values(),
            a.get_all_aliases(),
            a.is_global_set(),
            a.is_positional(),
        )
    }

    fn shape(c: &clap::Command) -> Vec<String> {
        let mut out = vec![format!(
            "{} {:?} {:?}",
            c.get_name(),
            c.get_about().map(|h| h.to_string()),
            c.get_all_aliases().collect::<Vec<_>>()
        )];
        out.extend(c.get_arguments().map(describe));
        out
    }

    #[test]
    fn the_template_tree_is_the_whole_trees_template_command() {
        let mut whole = cli_command();
        whole.build();
        let mut fast = as_cobra(TemplateCli::command());
        fast.build();
        assert_eq!(shape(&fast), shape(&whole));
        let names: Vec<&str> = fast.get_subcommands().map(|c| c.get_name()).collect();
        assert_eq!(names, ["template"]);
        assert_eq!(
            shape(fast.find_subcommand("template").unwrap()),
            shape(whole.find_subcommand("template").unwrap())
        );
    }
}
