//! The one integration-test binary. Modules are added per area.

mod conformance;
mod template;
