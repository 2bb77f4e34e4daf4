//! The template engine: Go text/template with Sprig and Helm's functions.

pub mod encode;
pub mod funcs;
pub mod glob;
pub mod ast;
pub mod diagnostic;
pub mod engine;
pub mod error;
pub mod exec;
pub mod gofmt;
pub mod lex;
pub mod parse;
pub mod lint_templates;
pub mod pipeline;
pub mod manifest;
pub mod objects;

pub use engine::{Engine, EngineOptions, TemplateFile};
pub use error::RenderError;
