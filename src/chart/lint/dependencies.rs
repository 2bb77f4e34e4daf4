//! Dependency rules (helm's `rules.Dependencies`): Chart.yaml and
//! `charts/` agree, and no two dependencies share a name or alias.

use super::{Linter, Severity};

pub(super) fn lint(linter: &mut Linter) {
    let chart = match crate::chart::load_dir(&linter.chart_dir) {
        Ok(c) => c,
        Err(e) => {
            linter.rule(
                Severity::Error,
                "",
                Err(format!("unable to load chart\n\t{e}")),
            );
            return;
        }
    };
    let dir = linter.chart_dir.display().to_string();
    let declared: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let present: Vec<&str> = chart.dependencies.iter().map(|d| d.name()).collect();

    let not_declared: Vec<&str> = present
        .iter()
        .copied()
        .filter(|p| !declared.contains(p))
        .collect();
    linter.rule(
        Severity::Error,
        &dir,
        if not_declared.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "chart metadata is missing these dependencies: {}",
                not_declared.join(",")
            ))
        },
    );

    let mut seen = std::collections::HashSet::new();
    let mut shadowing = Vec::new();
    for d in &chart.metadata.dependencies {
        let key = d.effective_name();
        if !seen.insert(key) {
            shadowing.push(key);
        }
    }
    linter.rule(
        Severity::Error,
        &dir,
        if shadowing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "multiple dependencies with name or alias: {}",
                shadowing.join(",")
            ))
        },
    );

    let missing: Vec<&str> = declared
        .iter()
        .copied()
        .filter(|d| !present.contains(d))
        .collect();
    linter.rule(
        Severity::Warning,
        &dir,
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "chart directory is missing these dependencies: {}",
                missing.join(",")
            ))
        },
    );
}
