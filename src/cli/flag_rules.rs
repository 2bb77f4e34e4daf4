//! What cobra checks about flags before a command runs: deprecation notices
//! (printed as pflag parses each deprecated flag, so in command-line order)
//! and mutually exclusive flag groups.

/// Where `--FLAG` (or `--FLAG=VALUE`) first appears on the command line
/// (before any `--`).
fn position_on_command_line(flag: &str) -> Option<usize> {
    let long = format!("--{flag}");
    std::env::args()
        .take_while(|a| a != "--")
        .position(|a| a == long || a.strip_prefix(&long).is_some_and(|v| v.starts_with('=')))
}

/// Prints `Flag --NAME has been deprecated, MESSAGE` for each used flag, in
/// the order the flags appear on the command line. As in pflag, a flag is
/// used when it is given at all, even as `--flag=false`.
pub fn deprecation_notices(flags: &[(bool, &str, &str)]) {
    let mut used: Vec<(usize, &str, &str)> = flags
        .iter()
        .filter_map(|(used, flag, message)| {
            let at = position_on_command_line(flag);
            (*used || at.is_some()).then(|| (at.unwrap_or(usize::MAX), *flag, *message))
        })
        .collect();
    used.sort();
    for (_, flag, message) in used {
        eprintln!("Flag --{flag} has been deprecated, {message}");
    }
}

/// cobra's `MarkFlagsMutuallyExclusive`: each group lists its flags (in the
/// order they were marked) with whether each was given (a flag on the
/// command line counts as given whatever its value). Groups are checked
/// in the order of their names (the flag names joined by spaces); the first
/// with more than one flag given fails, naming those flags sorted.
pub fn exclusive_groups(groups: &[&[(&str, bool)]]) -> anyhow::Result<()> {
    let mut named: Vec<(String, &[(&str, bool)])> = groups
        .iter()
        .map(|g| {
            let names: Vec<&str> = g.iter().map(|(name, _)| *name).collect();
            (names.join(" "), *g)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, group) in named {
        let mut set: Vec<&str> = group
            .iter()
            .filter(|(flag, given)| *given || position_on_command_line(flag).is_some())
            .map(|(flag, _)| *flag)
            .collect();
        if set.len() > 1 {
            set.sort_unstable();
            anyhow::bail!(
                "if any flags in the group [{name}] are set none of the others can be; [{}] were all set",
                set.join(" ")
            );
        }
    }
    Ok(())
}

/// The groups of install, upgrade, rollback and template: `--force-replace`
/// and its deprecated spelling `--force` each exclude `--force-conflicts`.
pub fn force_groups(
    force: bool,
    force_replace: bool,
    force_conflicts: bool,
) -> [[(&'static str, bool); 2]; 2] {
    [
        [
            ("force-replace", force_replace),
            ("force-conflicts", force_conflicts),
        ],
        [("force", force), ("force-conflicts", force_conflicts)],
    ]
}

#[cfg(test)]
mod tests {
    use super::exclusive_groups;

    #[test]
    fn first_group_by_name_with_two_flags_fails() {
        let a: &[(&str, bool)] = &[("validate", true), ("dry-run", true)];
        let b: &[(&str, bool)] = &[("force", true), ("force-conflicts", true)];
        let err = exclusive_groups(&[a, b]).unwrap_err().to_string();
        assert_eq!(
            err,
            "if any flags in the group [force force-conflicts] are set none of the others can be; [force force-conflicts] were all set"
        );
        let err = exclusive_groups(&[a]).unwrap_err().to_string();
        assert_eq!(
            err,
            "if any flags in the group [validate dry-run] are set none of the others can be; [dry-run validate] were all set"
        );
        let one: &[(&str, bool)] = &[("validate", false), ("dry-run", true)];
        assert!(exclusive_groups(&[one]).is_ok());
    }
}
