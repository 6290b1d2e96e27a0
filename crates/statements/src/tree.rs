//! A small element tree shared by the OFX (SGML and XML) and CAMT readers,
//! so the extraction code does not care which tokenizer produced it.

/// Readers refuse deeper nesting: real statements are under 15 levels deep,
/// and a bound keeps hostile input from exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 256;

#[derive(Debug, Default, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Node {
    pub fn new(name: String, line: usize) -> Self {
        Node {
            name,
            line,
            ..Node::default()
        }
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Nearest descendant named `name` (breadth first, so a field of this
    /// aggregate wins over a same-named field of a nested one).
    pub fn find(&self, name: &str) -> Option<&Node> {
        let mut level: Vec<&Node> = self.children.iter().collect();
        while !level.is_empty() {
            if let Some(hit) = level.iter().find(|n| n.name == name) {
                return Some(hit);
            }
            level = level.iter().flat_map(|n| n.children.iter()).collect();
        }
        None
    }

    /// Nearest descendant named `name` that is not inside an element named
    /// in `fence` (used to keep a transaction's fields from being taken
    /// from a neighbouring transaction).
    pub fn find_fenced(&self, name: &str, fence: &[&str]) -> Option<&Node> {
        let mut level: Vec<&Node> = self.children.iter().collect();
        while !level.is_empty() {
            if let Some(hit) = level.iter().find(|n| n.name == name) {
                return Some(hit);
            }
            level = level
                .iter()
                .filter(|n| !fence.contains(&n.name.as_str()))
                .flat_map(|n| n.children.iter())
                .collect();
        }
        None
    }

    /// Every descendant named `name`, in document order, without looking
    /// inside a match.
    pub fn find_all<'a>(&'a self, name: &str) -> Vec<&'a Node> {
        let mut out = Vec::new();
        let mut stack: Vec<&Node> = self.children.iter().rev().collect();
        while let Some(n) = stack.pop() {
            if n.name == name {
                out.push(n);
            } else {
                stack.extend(n.children.iter().rev());
            }
        }
        out
    }

    /// Trimmed text, `None` when empty: an empty tag means absent.
    pub fn value(&self) -> Option<&str> {
        let t = self.text.trim();
        (!t.is_empty()).then_some(t)
    }

    pub fn child_value(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Node::value)
    }

    pub fn find_value(&self, name: &str) -> Option<&str> {
        self.find(name).and_then(Node::value)
    }

    /// Text at a path of direct children, e.g. `["Acct", "Id", "IBAN"]`.
    pub fn path_value(&self, path: &[&str]) -> Option<&str> {
        self.path(path).and_then(Node::value)
    }

    pub fn path(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for name in path {
            node = node.child(name)?;
        }
        Some(node)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Tracks line numbers while a reader moves forward through the text, so
/// each lookup costs only the distance moved.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str, first_line: usize) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            pos: 0,
            line: first_line,
        }
    }

    pub fn line_at(&mut self, pos: usize) -> usize {
        let target = pos.min(self.bytes.len());
        if target > self.pos {
            let seg = self.bytes.get(self.pos..target).unwrap_or_default();
            self.line += seg.iter().filter(|b| **b == b'\n').count();
            self.pos = target;
        }
        self.line
    }
}

/// Resolve entities with quick-xml, leaving a bare `&` (common in bank
/// exports: "AT&T", "M&S") as a literal instead of failing the file.
pub(crate) fn lenient_unescape(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    if let Ok(s) = quick_xml::escape::unescape(raw) {
        return s.into_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        let entity_end = tail
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(j, _)| j + 1);
        match entity_end.and_then(|end| {
            let entity = tail.get(..end)?;
            quick_xml::escape::unescape(entity)
                .ok()
                .map(|s| (s.into_owned(), end))
        }) {
            Some((decoded, end)) => {
                out.push_str(&decoded);
                rest = tail.get(end..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape() {
        assert_eq!(lenient_unescape("AT&T &amp; M&S"), "AT&T & M&S");
        assert_eq!(lenient_unescape("a &lt;b&gt; &#233;"), "a <b> \u{e9}");
        assert_eq!(lenient_unescape("&"), "&");
        assert_eq!(lenient_unescape("&bogus;"), "&bogus;");
    }
}
