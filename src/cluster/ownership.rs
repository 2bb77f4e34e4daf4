//! Helm's ownership metadata: every object a release applies carries the
//! label `app.kubernetes.io/managed-by: Helm` and the annotations
//! `meta.helm.sh/release-name` / `-namespace`. An existing object without
//! matching metadata "exists and cannot be imported" unless `--take-ownership`.

use serde_json::Value as Json;

pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "Helm";
pub const RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
pub const RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";

/// Adds the ownership label and annotations to an object about to be applied.
pub fn set_ownership(body: &mut Json, release: &str, namespace: &str) {
    let Some(obj) = body.as_object_mut() else {
        return;
    };
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Json::Object(Default::default()));
    let Some(meta) = meta.as_object_mut() else {
        return;
    };
    let mut put = |field: &str, key: &str, value: &str| {
        let m = meta
            .entry(field)
            .or_insert_with(|| Json::Object(Default::default()));
        if !m.is_object() {
            *m = Json::Object(Default::default());
        }
        if let Some(m) = m.as_object_mut() {
            m.insert(key.to_string(), Json::String(value.to_string()));
        }
    };
    put("labels", MANAGED_BY_LABEL, MANAGED_BY_VALUE);
    put("annotations", RELEASE_NAME_ANNOTATION, release);
    put("annotations", RELEASE_NAMESPACE_ANNOTATION, namespace);
}

fn check_key(field: &str, meta: Option<&Json>, key: &str, want: &str) -> Option<String> {
    let kind = if field == "labels" {
        "label"
    } else {
        "annotation"
    };
    match meta.and_then(|m| m.get(field)).and_then(|m| m.get(key)) {
        None => Some(format!(
            "{kind} validation error: missing key \"{key}\": must be set to \"{want}\""
        )),
        Some(v) => {
            let got = v.as_str().unwrap_or("");
            (got != want).then(|| {
                format!("{kind} validation error: key \"{key}\" must equal \"{want}\": current value is \"{got}\"")
            })
        }
    }
}

/// `Ok` when the live object already belongs to this release; otherwise
/// helm's "invalid ownership metadata; ..." text.
pub fn check_ownership(live: &Json, release: &str, namespace: &str) -> Result<(), String> {
    let meta = live.get("metadata");
    let errs: Vec<String> = [
        check_key("labels", meta, MANAGED_BY_LABEL, MANAGED_BY_VALUE),
        check_key("annotations", meta, RELEASE_NAME_ANNOTATION, release),
        check_key("annotations", meta, RELEASE_NAMESPACE_ANNOTATION, namespace),
    ]
    .into_iter()
    .flatten()
    .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(format!("invalid ownership metadata; {}", errs.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_like_helm() {
        let live = serde_json::json!({"metadata": {"labels": {"app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": "other"}}});
        assert_eq!(
            check_ownership(&live, "s1", "default").unwrap_err(),
            "invalid ownership metadata; annotation validation error: key \"meta.helm.sh/release-name\" must equal \"s1\": current value is \"other\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": must be set to \"default\""
        );
        let mut owned = serde_json::json!({"metadata": {"name": "x"}});
        set_ownership(&mut owned, "s1", "default");
        assert!(check_ownership(&owned, "s1", "default").is_ok());
    }
}
