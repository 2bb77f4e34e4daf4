//! Releases: the record Helm stores for every revision, its encoding, where it
//! is stored, and the actions (install, upgrade, rollback, uninstall, ...)
//! that move a release between states.

pub mod actions;
pub mod chart_record;
pub mod codec;
pub mod model;
pub mod status;
pub mod storage;
pub mod time;

pub use model::{Hook, HookExecution, Info, Release};
pub use status::Status;
pub use storage::{Driver, Storage, StorageError};
