//! The template engine: Go text/template with Sprig and Helm's functions.

pub mod ast;
pub mod diagnostic;
pub mod encode;
pub mod engine;
pub mod error;
pub mod exec;
pub mod fast_hash;
pub mod file_copies;
pub mod funcs;
pub mod glob;
pub mod gofmt;
pub mod invalid_utf8;
pub mod lex;
pub mod lint_templates;
pub mod manifest;
pub mod objects;
pub mod parse;
pub mod parse_ahead;
pub mod parse_split;
pub mod pipeline;

pub use engine::{Engine, EngineOptions, TemplateFile};
pub use error::RenderError;
