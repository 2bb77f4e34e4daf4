//! OCI registries as helm 4 uses them: `oci://` references ([`reference`]),
//! a distribution client with Basic and Bearer auth ([`client`]), Docker
//! `config.json` credentials ([`credentials`]), and charts as OCI artifacts
//! — push, pull, tag resolution ([`chart`]). Error texts are helm's
//! ([`error`]).

pub mod chart;
pub mod client;
pub mod credentials;
pub mod dependency;
pub mod error;
pub mod reference;

pub use chart::{
    pull_chart, pull_provenance, push_chart, resolve_chart_ref, PullResult, PushResult, ResolvedRef,
};
pub use client::{Client, ClientOptions};
pub use credentials::{Credential, CredentialStore};
pub use error::OciError;
pub use reference::{is_oci, Reference};
