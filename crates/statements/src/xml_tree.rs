//! XML (OFX 2.x, CAMT) into a [`Node`] tree, via quick-xml.

use crate::tree::{lenient_unescape, LineCounter, Node, MAX_DEPTH};
use quick_xml::errors::{Error as QxError, IllFormedError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

#[derive(Debug)]
pub(crate) struct XmlError {
    /// Safe to show: names tags at most, never text content.
    pub message: String,
    pub line: usize,
}

/// Element names are namespace-local ("Ntry" for "camt:Ntry"); with
/// `uppercase` they are also uppercased (OFX tag names are case-insensitive
/// in practice).
pub(crate) fn parse(text: &str, first_line: usize, uppercase: bool) -> Result<Node, XmlError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut lines = LineCounter::new(text, first_line);
    let mut stack: Vec<Node> = vec![Node::new(String::new(), first_line)];
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(pos);
                return Err(XmlError {
                    message: describe(&e),
                    line: lines.line_at(at),
                });
            }
        };
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError {
                        message: format!("elements nested deeper than {MAX_DEPTH} levels"),
                        line: lines.line_at(pos),
                    });
                }
                stack.push(element(&e, lines.line_at(pos), uppercase));
            }
            Event::Empty(e) => {
                let node = element(&e, lines.line_at(pos), uppercase);
                if let Some(top) = stack.last_mut() {
                    top.children.push(node);
                }
            }
            Event::End(_) if stack.len() > 1 => {
                if let Some(done) = stack.pop() {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(done);
                    }
                }
            }
            Event::Text(t) => {
                let raw = String::from_utf8_lossy(t.as_ref());
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&lenient_unescape(&raw));
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(c.as_ref()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() > 1 {
        let name = stack.last().map(|n| n.name.clone()).unwrap_or_default();
        return Err(XmlError {
            message: format!("<{name}> is never closed"),
            line: lines.line_at(text.len()),
        });
    }
    Ok(stack.pop().unwrap_or_default())
}

fn element(e: &BytesStart<'_>, line: usize, uppercase: bool) -> Node {
    let mut name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    if uppercase {
        name.make_ascii_uppercase();
    }
    let mut node = Node::new(name, line);
    for attr in e.attributes().flatten() {
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let raw = String::from_utf8_lossy(&attr.value);
        node.attrs.push((key, lenient_unescape(&raw)));
    }
    node
}

/// quick-xml's messages can quote document text (a bad entity, an attribute
/// value); only tag names are let through.
fn describe(e: &QxError) -> String {
    match e {
        QxError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("malformed XML: </{found}> closes <{expected}>")
        }
        QxError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("malformed XML: </{name}> without a start tag")
        }
        QxError::IllFormed(IllFormedError::MissingEndTag(name)) => {
            format!("malformed XML: <{name}> is never closed")
        }
        QxError::Syntax(_) => "malformed XML: syntax error".to_string(),
        QxError::InvalidAttr(_) => "malformed XML: bad attribute".to_string(),
        _ => "malformed XML".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_with_local_names() {
        let doc = "<?xml version=\"1.0\"?>\n<a:Doc xmlns:a=\"x\">\n<a:B Ccy=\"EUR\">1 &amp; AT&T</a:B><C/></a:Doc>";
        let root = parse(doc, 1, false).unwrap();
        let d = root.child("Doc").unwrap();
        let b = d.child("B").unwrap();
        assert_eq!(b.text, "1 & AT&T");
        assert_eq!(b.attr("Ccy"), Some("EUR"));
        assert_eq!(b.line, 3);
        assert!(d.child("C").is_some());
    }

    #[test]
    fn mismatched_is_error() {
        let e = parse("<a>\n<b></c></a>", 1, false).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(parse("<a><b>", 1, false).is_err());
    }

    #[test]
    fn depth_is_bounded() {
        let doc = "<a>".repeat(MAX_DEPTH + 10);
        assert!(parse(&doc, 1, false).is_err());
    }
}
