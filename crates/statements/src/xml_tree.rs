//! XML (OFX 2.x, CAMT) into a [`Node`] tree, via quick-xml.

use crate::error::ParseError;
use crate::limits::Budget;
use crate::tree::{lenient_unescape, LineCounter, Node, MAX_DEPTH};
use quick_xml::errors::{Error as QxError, IllFormedError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

#[derive(Debug)]
pub(crate) enum XmlError {
    /// Not well-formed. The message is safe to show: it names tags at
    /// most, never text content.
    Malformed { message: String, line: usize },
    /// Well-formed as far as read, but past a parse limit.
    Limit(ParseError),
}

/// Element names are namespace-local ("Ntry" for "camt:Ntry"); with
/// `uppercase` they are also uppercased (OFX tag names are case-insensitive
/// in practice). Every element and attribute counts against `budget`, and
/// every element named in `transactions` counts as a transaction.
pub(crate) fn parse(
    text: &str,
    first_line: usize,
    uppercase: bool,
    budget: &mut Budget,
    transactions: &[&str],
) -> Result<Node, XmlError> {
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
                return Err(XmlError::Malformed {
                    message: describe(&e),
                    line: lines.line_at(at),
                });
            }
        };
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError::Malformed {
                        message: format!("elements nested deeper than {MAX_DEPTH} levels"),
                        line: lines.line_at(pos),
                    });
                }
                let node = element(&e, lines.line_at(pos), uppercase);
                count(&node, budget, transactions)?;
                stack.push(node);
            }
            Event::Empty(e) => {
                let node = element(&e, lines.line_at(pos), uppercase);
                count(&node, budget, transactions)?;
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
        return Err(XmlError::Malformed {
            message: format!("<{name}> is never closed"),
            line: lines.line_at(text.len()),
        });
    }
    Ok(stack.pop().unwrap_or_default())
}

fn count(node: &Node, budget: &mut Budget, transactions: &[&str]) -> Result<(), XmlError> {
    budget
        .elements(1 + node.attrs.len())
        .map_err(XmlError::Limit)?;
    if transactions.contains(&node.name.as_str()) {
        budget.saw_transaction().map_err(XmlError::Limit)?;
    }
    Ok(())
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

    use crate::limits::Limits;
    use crate::model::Format;

    fn parse(text: &str, first_line: usize, uppercase: bool) -> Result<Node, XmlError> {
        let mut budget = Budget::new(&Limits::default(), Format::Camt053);
        super::parse(text, first_line, uppercase, &mut budget, &["Ntry"])
    }

    fn line(e: XmlError) -> usize {
        match e {
            XmlError::Malformed { line, .. } => line,
            XmlError::Limit(_) => 0,
        }
    }

    #[test]
    fn counts_elements_and_transactions() {
        let limits = Limits {
            max_transactions: 2,
            max_elements: 10,
        };
        let mut budget = Budget::new(&limits, Format::Camt053);
        let doc = "<D><Ntry/><Ntry/><Ntry/></D>";
        assert!(matches!(
            super::parse(doc, 1, false, &mut budget, &["Ntry"]),
            Err(XmlError::Limit(e)) if e.is_limit() && e.message().contains("more than 2 transactions")
        ));
        let mut budget = Budget::new(&limits, Format::Camt053);
        let wide = format!("<D>{}</D>", "<a/>".repeat(20));
        assert!(matches!(
            super::parse(&wide, 1, false, &mut budget, &["Ntry"]),
            Err(XmlError::Limit(e)) if e.message().contains("more than 10 elements")
        ));
        let mut budget = Budget::new(&limits, Format::Camt053);
        let attrs = format!(
            "<D {}/>",
            (0..12)
                .map(|i| format!("a{i}=\"\""))
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(matches!(
            super::parse(&attrs, 1, false, &mut budget, &["Ntry"]),
            Err(XmlError::Limit(_))
        ));
    }

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
        assert_eq!(line(e), 2);
        assert!(parse("<a><b>", 1, false).is_err());
    }

    #[test]
    fn depth_is_bounded() {
        let doc = "<a>".repeat(MAX_DEPTH + 10);
        assert!(parse(&doc, 1, false).is_err());
    }
}
