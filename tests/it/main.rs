//! The one integration-test binary. Modules are added per area.

mod chart_bad_input;
mod chart_cli;
mod conformance;
mod diagnostics;
mod kubeconfig_fallback;
mod oci;
mod oci_bearer;
mod oci_interop;
mod oci_release;
mod oci_support;
mod package_oracle;
mod provenance;
mod release;
mod release_apply;
mod release_read;
mod release_faults;
mod release_helm3;
mod release_interop;
mod release_support;
mod repo;
mod repo_flags;
mod repo_interop;
mod repo_support;
mod repo_tls;
mod robustness;
mod template;
