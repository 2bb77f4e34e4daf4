//! `helm test`: run the release's `test` hooks and record their last run.

use std::time::Duration;

use crate::release::model::{Hook, Release};

use super::hooks::run_hooks_where;
use super::{ActionError, Context};

/// `--filter name=a,!name=b`: which test hooks run.
pub struct TestFilter {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl TestFilter {
    pub fn parse(items: &[String]) -> TestFilter {
        let mut f = TestFilter {
            include: Vec::new(),
            exclude: Vec::new(),
        };
        for item in items.iter().flat_map(|s| s.split(',')) {
            if let Some(n) = item.strip_prefix("!name=") {
                f.exclude.push(n.to_string());
            } else if let Some(n) = item.strip_prefix("name=") {
                f.include.push(n.to_string());
            }
        }
        f
    }

    fn accepts(&self, h: &Hook) -> bool {
        (self.include.is_empty() || self.include.contains(&h.name))
            && !self.exclude.contains(&h.name)
    }
}

/// Runs the tests of the newest revision and records their runs. The outer
/// error is a failure to load or store the release; the inner one a failed test.
pub fn run_tests(
    ctx: &Context<'_>,
    name: &str,
    filter: &TestFilter,
    timeout: Duration,
) -> Result<(Release, Option<ActionError>), ActionError> {
    let mut release = ctx.storage.last(name)?;
    let result = run_hooks_where(ctx, &mut release, "test", timeout, &|h| filter.accepts(h));
    ctx.storage.update(&release)?;
    Ok((release, result.err()))
}
