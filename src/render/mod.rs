//! The template engine: Go text/template with Sprig and Helm's functions.

pub mod encode;
pub mod funcs;
pub mod gofmt;
