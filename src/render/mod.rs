//! The template engine: Go text/template with Sprig and Helm's functions.

pub mod funcs;
pub mod gofmt;
