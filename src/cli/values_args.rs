//! The values flags shared by commands that take user values
//! (`-f/--values`, `--set`, `--set-string`, `--set-file`, `--set-json`,
//! `--set-literal`) and helm's `MergeValues` over them.

use std::path::Path;

use clap::Args;
use rudder::value::Value;
use rudder::values::options::{split_string_slice, ValueOptions};

#[derive(Args, Debug, Clone, Default)]
pub struct ValuesArgs {
    /// specify values in a YAML file or a URL (can specify multiple)
    #[arg(short = 'f', long = "values", value_name = "strings")]
    pub values: Vec<String>,
    /// set values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set", value_name = "stringArray")]
    pub set: Vec<String>,
    /// set STRING values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)
    #[arg(long = "set-string", value_name = "stringArray")]
    pub set_string: Vec<String>,
    /// set values from respective files specified via the command line (can specify multiple or separate values with commas: key1=path1,key2=path2)
    #[arg(long = "set-file", value_name = "stringArray")]
    pub set_file: Vec<String>,
    /// set JSON values on the command line (can specify multiple or separate values with commas: key1=jsonval1,key2=jsonval2 or using json format: {"key1": jsonval1, "key2": "jsonval2"})
    #[arg(long = "set-json", value_name = "stringArray")]
    pub set_json: Vec<String>,
    /// set a literal STRING value on the command line
    #[arg(long = "set-literal", value_name = "stringArray")]
    pub set_literal: Vec<String>,
}

/// Reads a values source: `-` is stdin, `http(s)://` a download (helm's
/// getter), anything else a file.
pub fn read_source(path: &str) -> Result<Vec<u8>, String> {
    if path.trim() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| e.to_string())?;
        return Ok(buf);
    }
    use rudder::repo::values_url::{classify, fetch, ValuesSource};
    if let ValuesSource::Url(url) = classify(path)? {
        return fetch(url);
    }
    std::fs::read(path).map_err(|e| {
        // Go opens a directory fine and fails reading it.
        let op = if e.kind() == std::io::ErrorKind::IsADirectory {
            "read"
        } else {
            "open"
        };
        rudder::chart::loader::go_io_error(op, Path::new(path), &e)
    })
}

impl ValuesArgs {
    pub fn options(&self) -> ValueOptions {
        ValueOptions {
            value_files: self
                .values
                .iter()
                .flat_map(|v| split_string_slice(v))
                .collect(),
            values: self.set.clone(),
            string_values: self.set_string.clone(),
            json_values: self.set_json.clone(),
            file_values: self.set_file.clone(),
            literal_values: self.set_literal.clone(),
        }
    }

    /// The user values as one map (helm's `MergeValues`).
    pub fn merge(&self) -> anyhow::Result<Value> {
        Ok(self.options().merge_values(&mut read_source)?)
    }
}
