//! Scenario errors: one message naming the field, the value and the line.

use std::fmt;

/// A path into the scenario document, such as `stations[2].processing.mean`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(Vec<Segment>);

#[cfg(test)]
mod tests {
    use super::FieldPath;

    #[test]
    fn parse_inverts_display() {
        for text in [
            "products[0].route[2]",
            "stations[3].failures[1].ttf",
            "scenario.horizon",
            "products[1]",
        ] {
            assert_eq!(FieldPath::parse(text).to_string(), text);
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl FieldPath {
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_owned()));
        path
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    pub(crate) fn root(key: &str) -> Self {
        Self::default().key(key)
    }

    /// Parses a path written as [`Display`](fmt::Display) writes it, such as
    /// `products[0].route[2]` (keys without dots or brackets).
    pub(crate) fn parse(text: &str) -> Self {
        let mut path = Self::default();
        for part in text.split('.') {
            let mut pieces = part.split('[');
            if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
                path = path.key(key);
            }
            for index in pieces {
                match index.trim_end_matches(']').parse() {
                    Ok(i) => path = path.index(i),
                    Err(_) => path = path.key(index),
                }
            }
        }
        path
    }

    /// The byte span of the deepest part of the path present in the document.
    fn span_in(&self, text: &str) -> Option<std::ops::Range<usize>> {
        let document = toml::de::DeTable::parse(text).ok()?;
        let mut span = None;
        let mut value: Option<&toml::Spanned<toml::de::DeValue<'_>>> = None;
        for (depth, segment) in self.0.iter().enumerate() {
            let next = match (depth, segment) {
                (0, Segment::Key(k)) => document.get_ref().get(k.as_str()),
                (_, Segment::Key(k)) => value.and_then(|v| v.get_ref().get(k.as_str())),
                (_, Segment::Index(i)) => value.and_then(|v| v.get_ref().get(*i)),
            };
            match next {
                Some(v) => {
                    span = Some(v.span());
                    value = Some(v);
                }
                None => break,
            }
        }
        span
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Why a scenario cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{origin}: cannot read the file: {message}")]
    Io {
        /// The file.
        origin: String,
        /// The operating system's reason.
        message: String,
    },
    /// The file is not valid TOML, or does not fit the scenario format.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message (names the field and value).
        message: String,
    },
    /// A field has a value the model cannot use.
    #[error("{origin}{}: {field}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file (or `<python>` / `<string>` for specs built in code).
        origin: String,
        /// 1-based line of the field, where the document gives it.
        line: Option<usize>,
        /// The field's path, e.g. `stations[2].processing.mean`.
        field: String,
        /// What is wrong, naming the value.
        message: String,
    },
}

/// A validation problem before it is placed in a file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Issue {
    pub(crate) path: FieldPath,
    pub(crate) message: String,
}

impl Issue {
    pub(crate) fn new(path: FieldPath, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }

    /// The error for this issue in the document `text` from `origin`.
    pub(crate) fn locate(self, origin: &str, text: Option<&str>) -> ScenarioError {
        let line = text.and_then(|t| self.path.span_in(t).map(|s| line_column(t, s.start).0));
        ScenarioError::Invalid {
            origin: origin.to_owned(),
            line,
            field: self.path.to_string(),
            message: self.message,
        }
    }
}

/// 1-based (line, column) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

impl ScenarioError {
    /// A TOML or format error from the parser, placed in `text`; `field` is the
    /// path of the table or value being read, when known.
    pub(crate) fn from_toml(
        origin: &str,
        text: &str,
        error: &toml::de::Error,
        field: Option<&str>,
    ) -> Self {
        let span = error.span();
        let (line, column) = span.clone().map_or((1, 1), |s| line_column(text, s.start));
        let mut message = error.message().trim().to_owned();
        if message == "duplicate key"
            && let Some(key) = span.and_then(|s| text.get(s))
        {
            message = format!("duplicate key `{}`", key.trim());
        }
        if let Some(field) = field.filter(|f| !f.is_empty() && *f != ".") {
            message = format!("{field}: {message}");
        }
        Self::Syntax {
            origin: origin.to_owned(),
            line,
            column,
            message,
        }
    }
}
