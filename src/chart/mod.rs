//! Charts: model, loader, archives, create, package, show, lint.
