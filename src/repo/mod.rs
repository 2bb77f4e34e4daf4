//! Classic (HTTP `index.yaml`) chart repositories, sharing helm's files:
//! `repositories.yaml` ([`config`]), cached indexes and chart lists
//! ([`cache_paths`]), the index model with helm's load/merge/write rules
//! ([`index`], [`index_decode`], [`index_encode`]), `repo index` of a
//! directory ([`index_dir`]), and `search repo` ([`search`]) backed by a
//! compact derived cache ([`search_cache`]) so huge indexes are not
//! re-parsed on every search.

pub mod atomic_file;
pub mod cache_paths;
pub mod chart_repo;
pub mod config;
pub mod dependency;
pub mod downloader;
pub mod gotime;
pub mod http;
pub mod index;
pub mod index_decode;
pub mod index_dir;
pub mod index_encode;
pub mod index_fast_version;
pub mod index_fast_yaml;
pub mod index_merge;
pub mod index_parallel;
pub mod index_split;
pub mod oci;
pub mod progress;
pub mod provenance;
pub mod search;
pub mod search_cache;
pub mod values_url;

pub use config::{RepoEntry, RepoFile};
pub use index::{ChartVersion, IndexFile};
