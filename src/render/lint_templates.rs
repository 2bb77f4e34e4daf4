//! The rendering half of `helm lint`'s template rule: render the chart with
//! its values in lint mode and check each rendered template of the chart
//! (extension, indentation, YAML, object names, deprecated APIs, selectors).
//! Messages are Helm's; they are added to the [`Linter`] the structural
//! rules filled.

use std::collections::BTreeMap;

use crate::chart::lint::{LintContext, Linter, Severity};
use crate::chart::Chart;
use crate::log::{Level, Logger, Record};
use crate::render::engine::{Engine, EngineOptions, TemplateFile};
use crate::render::objects::{Capabilities, KubeVersion, ReleaseOptions};
use crate::value::Value;
use crate::values::coalesce::coalesce_values;
use crate::values::schema::{schema_error_message, validate_chart_tree};
use crate::values::yaml::{parse_manifest_head, split_documents, unmarshal};

const TEMPLATES: &str = "templates/";

/// APIs still known to Kubernetes' client scheme that are deprecated:
/// (apiVersion, kind, deprecated in major, minor, Helm's warning).
const DEPRECATED_APIS: &[(&str, &str, u64, u64, &str)] = &[
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy", 1, 35, "admissionregistration.k8s.io/v1alpha1 MutatingAdmissionPolicy is deprecated in v1.35+, unavailable in v1.38+"),
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicyBinding", 1, 35, "admissionregistration.k8s.io/v1alpha1 MutatingAdmissionPolicyBinding is deprecated in v1.35+, unavailable in v1.38+"),
    ("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy", 1, 29, "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicy is deprecated in v1.29+, unavailable in v1.32+"),
    ("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicyBinding", 1, 29, "admissionregistration.k8s.io/v1alpha1 ValidatingAdmissionPolicyBinding is deprecated in v1.29+, unavailable in v1.32+"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", 1, 37, "admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicy is deprecated in v1.37+, unavailable in v1.40+; use admissionregistration.k8s.io/v1 MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding", 1, 37, "admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicyBinding is deprecated in v1.37+, unavailable in v1.40+; use admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", 1, 16, "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration is deprecated in v1.16+, unavailable in v1.22+; use admissionregistration.k8s.io/v1 MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", 1, 31, "admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy is deprecated in v1.31+, unavailable in v1.34+"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", 1, 31, "admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicyBinding is deprecated in v1.31+, unavailable in v1.34+"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", 1, 16, "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration is deprecated in v1.16+, unavailable in v1.22+; use admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration"),
    ("apps/v1beta1", "ControllerRevision", 1, 8, "apps/v1beta1 ControllerRevision is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 ControllerRevision"),
    ("apps/v1beta1", "Deployment", 1, 8, "apps/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment"),
    ("apps/v1beta1", "StatefulSet", 1, 8, "apps/v1beta1 StatefulSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 StatefulSet"),
    ("apps/v1beta2", "ControllerRevision", 1, 9, "apps/v1beta2 ControllerRevision is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 ControllerRevision"),
    ("apps/v1beta2", "DaemonSet", 1, 9, "apps/v1beta2 DaemonSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 DaemonSet"),
    ("apps/v1beta2", "Deployment", 1, 9, "apps/v1beta2 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment"),
    ("apps/v1beta2", "ReplicaSet", 1, 9, "apps/v1beta2 ReplicaSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 ReplicaSet"),
    ("apps/v1beta2", "StatefulSet", 1, 9, "apps/v1beta2 StatefulSet is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 StatefulSet"),
    ("authentication.k8s.io/v1alpha1", "SelfSubjectReview", 1, 29, "authentication.k8s.io/v1alpha1 SelfSubjectReview is deprecated in v1.29+, unavailable in v1.32+"),
    ("authentication.k8s.io/v1beta1", "SelfSubjectReview", 1, 30, "authentication.k8s.io/v1beta1 SelfSubjectReview is deprecated in v1.30+, unavailable in v1.33+"),
    ("authentication.k8s.io/v1beta1", "TokenReview", 1, 19, "authentication.k8s.io/v1beta1 TokenReview is deprecated in v1.19+, unavailable in v1.22+; use authentication.k8s.io/v1 TokenReview"),
    ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", 1, 19, "authorization.k8s.io/v1beta1 LocalSubjectAccessReview is deprecated in v1.19+, unavailable in v1.22+; use authorization.k8s.io/v1 LocalSubjectAccessReview"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", 1, 19, "authorization.k8s.io/v1beta1 SelfSubjectAccessReview is deprecated in v1.19+, unavailable in v1.22+; use authorization.k8s.io/v1 SelfSubjectAccessReview"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", 1, 19, "authorization.k8s.io/v1beta1 SelfSubjectRulesReview is deprecated in v1.19+, unavailable in v1.22+; use authorization.k8s.io/v1 SelfSubjectRulesReview"),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview", 1, 19, "authorization.k8s.io/v1beta1 SubjectAccessReview is deprecated in v1.19+, unavailable in v1.22+; use authorization.k8s.io/v1 SubjectAccessReview"),
    ("batch/v1beta1", "CronJob", 1, 21, "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"),
    ("certificates.k8s.io/v1alpha1", "ClusterTrustBundle", 1, 34, "certificates.k8s.io/v1alpha1 ClusterTrustBundle is deprecated in v1.34+, unavailable in v1.37+"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest", 1, 19, "certificates.k8s.io/v1beta1 CertificateSigningRequest is deprecated in v1.19+, unavailable in v1.22+; use certificates.k8s.io/v1 CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle", 1, 37, "certificates.k8s.io/v1beta1 ClusterTrustBundle is deprecated in v1.37+, unavailable in v1.40+; use certificates.k8s.io/v1 ClusterTrustBundle"),
    ("certificates.k8s.io/v1beta1", "PodCertificateRequest", 1, 37, "certificates.k8s.io/v1beta1 PodCertificateRequest is deprecated in v1.37+, unavailable in v1.40+; use certificates.k8s.io/v1 PodCertificateRequest"),
    ("coordination.k8s.io/v1alpha2", "LeaseCandidate", 1, 35, "coordination.k8s.io/v1alpha2 LeaseCandidate is deprecated in v1.35+, unavailable in v1.38+"),
    ("coordination.k8s.io/v1beta1", "Lease", 1, 19, "coordination.k8s.io/v1beta1 Lease is deprecated in v1.19+, unavailable in v1.22+; use coordination.k8s.io/v1 Lease"),
    ("coordination.k8s.io/v1beta1", "LeaseCandidate", 1, 36, "coordination.k8s.io/v1beta1 LeaseCandidate is deprecated in v1.36+, unavailable in v1.39+"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", 1, 21, "discovery.k8s.io/v1beta1 EndpointSlice is deprecated in v1.21+, unavailable in v1.25+; use discovery.k8s.io/v1 EndpointSlice"),
    ("events.k8s.io/v1beta1", "Event", 1, 22, "events.k8s.io/v1beta1 Event is deprecated in v1.22+, unavailable in v1.25+"),
    ("extensions/v1beta1", "DaemonSet", 1, 8, "extensions/v1beta1 DaemonSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 DaemonSet"),
    ("extensions/v1beta1", "Deployment", 1, 8, "extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment"),
    ("extensions/v1beta1", "Ingress", 1, 14, "extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress"),
    ("extensions/v1beta1", "NetworkPolicy", 1, 9, "extensions/v1beta1 NetworkPolicy is deprecated in v1.9+, unavailable in v1.16+; use networking.k8s.io/v1 NetworkPolicy"),
    ("extensions/v1beta1", "ReplicaSet", 1, 8, "extensions/v1beta1 ReplicaSet is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 ReplicaSet"),
    ("extensions/v1beta1", "Scale", 1, 2, "extensions/v1beta1 Scale is deprecated in v1.2+, unavailable in v1.16+"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 1, 23, "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema is deprecated in v1.23+, unavailable in v1.26+; use flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", 1, 23, "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration is deprecated in v1.23+, unavailable in v1.26+; use flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", 1, 26, "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated in v1.26+, unavailable in v1.29+; use flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", 1, 26, "flowcontrol.apiserver.k8s.io/v1beta2 PriorityLevelConfiguration is deprecated in v1.26+, unavailable in v1.29+; use flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", 1, 29, "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", 1, 29, "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration is deprecated in v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration"),
    ("networking.k8s.io/v1beta1", "IPAddress", 1, 34, "networking.k8s.io/v1beta1 IPAddress is deprecated in v1.34+, unavailable in v1.37+"),
    ("networking.k8s.io/v1beta1", "Ingress", 1, 19, "networking.k8s.io/v1beta1 Ingress is deprecated in v1.19+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress"),
    ("networking.k8s.io/v1beta1", "IngressClass", 1, 19, "networking.k8s.io/v1beta1 IngressClass is deprecated in v1.19+, unavailable in v1.22+; use networking.k8s.io/v1 IngressClassList"),
    ("networking.k8s.io/v1beta1", "ServiceCIDR", 1, 34, "networking.k8s.io/v1beta1 ServiceCIDR is deprecated in v1.34+, unavailable in v1.37+"),
    ("node.k8s.io/v1beta1", "RuntimeClass", 1, 22, "node.k8s.io/v1beta1 RuntimeClass is deprecated in v1.22+, unavailable in v1.25+"),
    ("policy/v1beta1", "Eviction", 1, 22, "policy/v1beta1 Eviction is deprecated in v1.22+, unavailable in v1.25+"),
    ("policy/v1beta1", "PodDisruptionBudget", 1, 21, "policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", 1, 17, "rbac.authorization.k8s.io/v1beta1 ClusterRole is deprecated in v1.17+, unavailable in v1.22+; use rbac.authorization.k8s.io/v1 ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", 1, 17, "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding is deprecated in v1.17+, unavailable in v1.22+; use rbac.authorization.k8s.io/v1 ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "Role", 1, 17, "rbac.authorization.k8s.io/v1beta1 Role is deprecated in v1.17+, unavailable in v1.22+; use rbac.authorization.k8s.io/v1 Role"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", 1, 17, "rbac.authorization.k8s.io/v1beta1 RoleBinding is deprecated in v1.17+, unavailable in v1.22+; use rbac.authorization.k8s.io/v1 RoleBinding"),
    ("resource.k8s.io/v1alpha3", "DeviceTaintRule", 1, 36, "resource.k8s.io/v1alpha3 DeviceTaintRule is deprecated in v1.36+, unavailable in v1.39+"),
    ("resource.k8s.io/v1beta1", "DeviceClass", 1, 35, "resource.k8s.io/v1beta1 DeviceClass is deprecated in v1.35+, unavailable in v1.38+"),
    ("resource.k8s.io/v1beta1", "ResourceClaim", 1, 35, "resource.k8s.io/v1beta1 ResourceClaim is deprecated in v1.35+, unavailable in v1.38+"),
    ("resource.k8s.io/v1beta1", "ResourceClaimTemplate", 1, 35, "resource.k8s.io/v1beta1 ResourceClaimTemplate is deprecated in v1.35+, unavailable in v1.38+"),
    ("resource.k8s.io/v1beta1", "ResourceSlice", 1, 35, "resource.k8s.io/v1beta1 ResourceSlice is deprecated in v1.35+, unavailable in v1.38+"),
    ("resource.k8s.io/v1beta2", "DeviceClass", 1, 36, "resource.k8s.io/v1beta2 DeviceClass is deprecated in v1.36+, unavailable in v1.39+"),
    ("resource.k8s.io/v1beta2", "ResourceClaim", 1, 36, "resource.k8s.io/v1beta2 ResourceClaim is deprecated in v1.36+, unavailable in v1.39+"),
    ("resource.k8s.io/v1beta2", "ResourceClaimTemplate", 1, 36, "resource.k8s.io/v1beta2 ResourceClaimTemplate is deprecated in v1.36+, unavailable in v1.39+"),
    ("resource.k8s.io/v1beta2", "ResourceSlice", 1, 36, "resource.k8s.io/v1beta2 ResourceSlice is deprecated in v1.36+, unavailable in v1.39+"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", 1, 14, "scheduling.k8s.io/v1beta1 PriorityClass is deprecated in v1.14+, unavailable in v1.22+; use scheduling.k8s.io/v1 PriorityClass"),
    ("storage.k8s.io/v1alpha1", "CSIStorageCapacity", 1, 21, "storage.k8s.io/v1alpha1 CSIStorageCapacity is deprecated in v1.21+, unavailable in v1.24+; use storage.k8s.io/v1beta1 CSIStorageCapacity"),
    ("storage.k8s.io/v1alpha1", "VolumeAttachment", 1, 21, "storage.k8s.io/v1alpha1 VolumeAttachment is deprecated in v1.21+, unavailable in v1.24+; use storage.k8s.io/v1 VolumeAttachment"),
    ("storage.k8s.io/v1alpha1", "VolumeAttributesClass", 1, 32, "storage.k8s.io/v1alpha1 VolumeAttributesClass is deprecated in v1.32+, unavailable in v1.35+; use storage.k8s.io/v1 VolumeAttributesClass"),
    ("storage.k8s.io/v1beta1", "CSIDriver", 1, 19, "storage.k8s.io/v1beta1 CSIDriver is deprecated in v1.19+, unavailable in v1.22+; use storage.k8s.io/v1 CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode", 1, 17, "storage.k8s.io/v1beta1 CSINode is deprecated in v1.17+, unavailable in v1.22+; use storage.k8s.io/v1 CSINode"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", 1, 24, "storage.k8s.io/v1beta1 CSIStorageCapacity is deprecated in v1.24+, unavailable in v1.27+; use storage.k8s.io/v1 CSIStorageCapacity"),
    ("storage.k8s.io/v1beta1", "StorageClass", 1, 19, "storage.k8s.io/v1beta1 StorageClass is deprecated in v1.19+, unavailable in v1.22+; use storage.k8s.io/v1 StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", 1, 19, "storage.k8s.io/v1beta1 VolumeAttachment is deprecated in v1.19+, unavailable in v1.22+; use storage.k8s.io/v1 VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "VolumeAttributesClass", 1, 34, "storage.k8s.io/v1beta1 VolumeAttributesClass is deprecated in v1.34+, unavailable in v1.37+; use storage.k8s.io/v1 VolumeAttributesClass"),
    ("storagemigration.k8s.io/v1beta1", "StorageVersionMigration", 1, 37, "storagemigration.k8s.io/v1beta1 StorageVersionMigration is deprecated in v1.37+, unavailable in v1.40+; use storagemigration.k8s.io/v1 StorageVersionMigration"),
    ("v1", "ComponentStatus", 1, 19, "v1 ComponentStatus is deprecated in v1.19+"),
    ("v1", "Endpoints", 1, 33, "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"),
];

/// Runs the rendering checks on a loaded chart.
pub fn lint_templates(linter: &mut Linter, chart: &Chart, ctx: &LintContext, log: &mut Logger<'_>) {
    let mut chart = chart.clone();
    if crate::chart::dependencies::process_dependencies(&mut chart, &ctx.values, log).is_err() {
        return;
    }
    let mut warn = |msg: String| log(Record::new(Level::Info, msg));
    let Ok(cvals) = coalesce_values(&chart, &ctx.values, &mut warn) else {
        return;
    };
    let values = match coalesce_values(&chart, &cvals, &mut warn) {
        Ok(v) => v,
        Err(e) => {
            linter.rule(Severity::Error, TEMPLATES, Err(e.to_string()));
            return;
        }
    };
    if !ctx.skip_schema_validation {
        if let Err(report) = validate_chart_tree(&chart, &values, log) {
            linter.rule(
                Severity::Error,
                TEMPLATES,
                Err(schema_error_message(&report)),
            );
            return;
        }
    }
    let kube_version = ctx
        .kube_version
        .as_deref()
        .and_then(|k| KubeVersion::parse(k).ok());
    let caps = Capabilities::for_template(kube_version.clone(), &[]);
    let release = ReleaseOptions {
        name: "test-release".into(),
        namespace: ctx.namespace.clone(),
        revision: 0,
        is_install: false,
        is_upgrade: false,
    };
    let files: Vec<TemplateFile> =
        crate::render::pipeline::template_files(&chart, &values, &release, &caps);
    let engine = Engine::new(
        crate::render::funcs::standard_registry(),
        EngineOptions {
            lint_mode: true,
            ..Default::default()
        },
    );
    let rendered: BTreeMap<String, String> = match engine.render(&files) {
        Ok(r) => r,
        Err(e) => {
            linter.rule(Severity::Error, TEMPLATES, Err(e.to_string()));
            return;
        }
    };
    let kube = kube_version.unwrap_or_default();
    let (major, minor) = (
        kube.major.parse::<u64>().unwrap_or(0),
        kube.minor.parse::<u64>().unwrap_or(0),
    );
    for t in &chart.templates {
        let file = t.name.as_str();
        linter.rule(Severity::Error, file, allowed_extension(file));
        if !is_yaml(file) {
            continue;
        }
        let content = rendered
            .get(&format!("{}/{file}", chart.name()))
            .map(String::as_str)
            .unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        linter.rule(Severity::Warning, file, top_indent(content));
        let docs = match split_documents(content) {
            Ok(d) => d,
            Err(e) => {
                linter.rule(
                    Severity::Error,
                    file,
                    Err(format!("unable to parse YAML: {e}")),
                );
                return;
            }
        };
        for doc in docs {
            let parsed = unmarshal(&doc).and_then(|v| Ok((v, parse_manifest_head(&doc)?)));
            let (value, head) = match parsed {
                Ok(p) => p,
                Err(e) => {
                    // Helm decodes into its lint struct, not the manifest head.
                    let text = e
                        .to_string()
                        .replace("util.SimpleHead", "rules.k8sYamlStruct");
                    linter.rule(
                        Severity::Error,
                        file,
                        Err(format!("unable to parse YAML: {text}")),
                    );
                    return;
                }
            };
            if value.is_nil() {
                continue;
            }
            let name = head
                .metadata
                .as_ref()
                .map(|m| m.name.clone())
                .unwrap_or_default();
            linter.rule(Severity::Warning, file, metadata_name(&head.kind, &name));
            linter.rule(
                Severity::Warning,
                file,
                deprecation(&head.api_version, &head.kind, major, minor),
            );
            linter.rule(
                Severity::Error,
                file,
                match_selector(&head.kind, &name, content),
            );
            linter.rule(Severity::Error, file, list_annotations(&head.kind, content));
        }
    }
}

fn extension(file: &str) -> &str {
    let base = file.rsplit('/').next().unwrap_or(file);
    match base.rfind('.') {
        Some(i) => &base[i..],
        None => "",
    }
}

fn allowed_extension(file: &str) -> Result<(), String> {
    let ext = extension(file);
    if [".yaml", ".yml", ".tpl", ".txt"].contains(&ext) {
        return Ok(());
    }
    Err(format!(
        "file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"
    ))
}

fn is_yaml(file: &str) -> bool {
    let ext = extension(file).to_ascii_lowercase();
    ext == ".yaml" || ext == ".yml"
}

fn top_indent(content: &str) -> Result<(), String> {
    for line in content.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            return Err(format!(
                "document starts with an illegal indent: {}, which may cause parsing problems",
                crate::values::strvals::go_quote(line)
            ));
        }
        return Ok(());
    }
    Ok(())
}

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && (if first_alpha {
            b[0].is_ascii_lowercase()
        } else {
            b[0] != b'-'
        })
        && b[b.len() - 1] != b'-'
}

fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !name.split('.').all(|l| is_label(l, false)) {
        errs.push(DNS1123_SUBDOMAIN_MSG.to_string());
    }
    errs
}

fn dns_label(name: &str, rfc1035: bool) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(name, rfc1035) {
        errs.push(
            if rfc1035 {
                DNS1035_LABEL_MSG
            } else {
                DNS1123_LABEL_MSG
            }
            .to_string(),
        );
    }
    errs
}

fn path_segment(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if name.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

/// Kubernetes' name rules per kind, in Helm's wording.
fn metadata_name(kind: &str, name: &str) -> Result<(), String> {
    let errs = match kind.to_ascii_lowercase().as_str() {
        "service" => dns_label(name, true),
        "namespace" => dns_label(name, false),
        "certificatesigningrequest" => Vec::new(),
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => path_segment(name),
        _ => dns1123_subdomain(name),
    };
    if errs.is_empty() {
        return Ok(());
    }
    let q = crate::values::strvals::go_quote(name);
    let field_errs: Vec<String> = errs
        .iter()
        .map(|m| format!("metadata.name: Invalid value: {q}: {m}"))
        .collect();
    let aggregate = if field_errs.len() == 1 {
        field_errs[0].clone()
    } else {
        format!("[{}]", field_errs.join(", "))
    };
    Err(format!(
        "object name does not conform to Kubernetes naming requirements: {q}: {aggregate}"
    ))
}

fn deprecation(api_version: &str, kind: &str, major: u64, minor: u64) -> Result<(), String> {
    if api_version.is_empty() || kind.is_empty() {
        return Ok(());
    }
    match DEPRECATED_APIS
        .iter()
        .find(|(gv, k, ..)| *gv == api_version && *k == kind)
    {
        Some((_, _, dmaj, dmin, msg)) if (major, minor) >= (*dmaj, *dmin) => Err(msg.to_string()),
        _ => Ok(()),
    }
}

fn match_selector(kind: &str, name: &str, content: &str) -> Result<(), String> {
    if matches!(
        kind,
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet"
    ) && !content.contains("matchLabels")
        && !content.contains("matchExpressions")
    {
        return Err(format!(
            "a {kind} must contain matchLabels or matchExpressions, and {} does not",
            crate::values::strvals::go_quote(name)
        ));
    }
    Ok(())
}

/// Helm reads the whole rendered file (its first document) for this check.
fn list_annotations(kind: &str, content: &str) -> Result<(), String> {
    if kind != "List" {
        return Ok(());
    }
    let v = unmarshal(content).map_err(|e| format!("unable to parse YAML: {e}"))?;
    let items = v.get("items");
    if let Some(Value::List(l)) = items {
        for item in l.items.borrow().iter() {
            let has = item
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get("helm.sh/resource-policy"))
                .is_some();
            if has {
                return Err(
                    "annotation 'helm.sh/resource-policy' within List objects are ignored".into(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert!(metadata_name("ConfigMap", "ok-name.x").is_ok());
        assert!(metadata_name("Service", "1svc")
            .unwrap_err()
            .contains("DNS-1035"));
        assert!(metadata_name("Role", "a:b").is_ok());
        assert!(metadata_name("ConfigMap", "").is_err());
    }

    #[test]
    fn deprecations_depend_on_kube_version() {
        assert_eq!(
            deprecation("batch/v1beta1", "CronJob", 1, 37).unwrap_err(),
            "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"
        );
        assert!(deprecation("batch/v1beta1", "CronJob", 1, 20).is_ok());
        assert!(deprecation("apps/v1", "Deployment", 1, 37).is_ok());
    }

    #[test]
    fn extensions_and_indent() {
        assert!(allowed_extension("templates/x.json").is_err());
        assert!(allowed_extension("templates/NOTES.txt").is_ok());
        assert!(top_indent("\n  a: 1\n").is_err());
        assert!(top_indent("a: 1\n").is_ok());
    }
}
