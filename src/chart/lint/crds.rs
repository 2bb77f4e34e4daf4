//! CRD rules (helm's `rules.Crds`): files in `crds/` are plain YAML
//! documents of kind CustomResourceDefinition in apiextensions.k8s.io.

use super::{Linter, Severity};
use crate::value::Value;
use crate::values::yaml::parse_documents;

pub(super) fn lint(linter: &mut Linter) {
    let dir = linter.chart_dir.join("crds");
    if std::fs::symlink_metadata(&dir).is_err() && !dir.exists() {
        return;
    }
    let path = "crds/";
    if !linter.rule(
        Severity::Error,
        path,
        if dir.is_dir() {
            Ok(())
        } else {
            Err("not a directory".into())
        },
    ) {
        return;
    }
    let chart = match crate::chart::load(&linter.chart_dir) {
        Ok(c) => c,
        Err(e) => {
            linter.rule(Severity::Error, path, Err(e.to_string()));
            return;
        }
    };
    for crd in chart.crd_objects() {
        let file = crd.name.clone();
        let text = String::from_utf8_lossy(&crd.data);
        let docs = match parse_documents(&text) {
            Ok(d) => d,
            Err(e) => {
                let inner = e.inner().to_string();
                linter.rule(
                    Severity::Error,
                    &file,
                    Err(format!("unable to parse YAML\n\t{inner}")),
                );
                return;
            }
        };
        for doc in docs {
            if doc.is_nil() {
                continue;
            }
            let field = |k: &str| match doc.get(k) {
                Some(Value::String(s)) => s.to_string(),
                _ => String::new(),
            };
            let api = field("apiVersion");
            linter.rule(
                Severity::Error,
                &file,
                if api.starts_with("apiextensions.k8s.io") {
                    Ok(())
                } else {
                    Err("apiVersion is not in 'apiextensions.k8s.io'".into())
                },
            );
            linter.rule(
                Severity::Error,
                &file,
                if field("kind") == "CustomResourceDefinition" {
                    Ok(())
                } else {
                    Err("object kind is not 'CustomResourceDefinition'".into())
                },
            );
        }
    }
}
