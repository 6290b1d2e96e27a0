//! OFX 1.x is SGML, not XML: leaf elements have no end tag ("<TRNAMT>-10.00"
//! then the next tag), and real files also drop aggregate end tags, close
//! leaves anyway, self-close ("<MEMO/>"), or mix case. This reader builds a
//! [`Node`] tree from all of that without failing; extraction then decides
//! whether what came out is a statement.

use crate::error::ParseError;
use crate::limits::Budget;
use crate::tree::{lenient_unescape, LineCounter, Node, MAX_DEPTH};

/// Aggregates that each hold one transaction: bank transactions and the
/// investment ones (every investment transaction has an `INVTRAN`).
pub(crate) const TRANSACTION_TAGS: &[&str] = &["STMTTRN", "INVTRAN"];

/// OFX aggregates (elements that hold other elements). Knowing them lets
/// the reader tell an aggregate whose end tag is missing from a leaf whose
/// value is missing.
fn is_aggregate(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "OFX",
        "SONRS",
        "STATUS",
        "FI",
        "STMTRS",
        "CCSTMTRS",
        "INVSTMTRS",
        "BANKACCTFROM",
        "BANKACCTTO",
        "CCACCTFROM",
        "CCACCTTO",
        "INVACCTFROM",
        "BANKTRANLIST",
        "STMTTRN",
        "LEDGERBAL",
        "AVAILBAL",
        "INVTRANLIST",
        "INVPOSLIST",
        "INVBAL",
        "INVBANKTRAN",
        "INVTRAN",
        "INVBUY",
        "INVSELL",
        "SECID",
        "PAYEE",
        "CURRENCY",
        "ORIGCURRENCY",
        "BALLIST",
        "BAL",
        "BUYDEBT",
        "BUYMF",
        "BUYOPT",
        "BUYOTHER",
        "BUYSTOCK",
        "CLOSUREOPT",
        "INCOME",
        "INVEXPENSE",
        "JRNLFUND",
        "JRNLSEC",
        "MARGININTEREST",
        "REINVEST",
        "RETOFCAP",
        "SELLDEBT",
        "SELLMF",
        "SELLOPT",
        "SELLOTHER",
        "SELLSTOCK",
        "SPLIT",
        "TRANSFER",
        "POSDEBT",
        "POSMF",
        "POSOPT",
        "POSOTHER",
        "POSSTOCK",
        "INVPOS",
        "SECLIST",
        "MFINFO",
        "STOCKINFO",
        "OPTINFO",
        "DEBTINFO",
        "OTHERINFO",
        "SECINFO",
        "EXTBANKACCTTO",
        "XFERINFO",
        "INTRARS",
        "ACCTINFO",
        "BANKACCTINFO",
        "CCACCTINFO",
        "INVACCTINFO",
        "MKTGINFO",
        "CLOSING",
        "MSGSETLIST",
        "SIGNONINFO",
        "IMAGEDATA",
        "LOANACCTFROM",
        "LOANSTMTRS",
        "LOANTRANLIST",
        "LOANSTMTTRN",
        "OFXEXTENSION",
    ];
    NAMES.contains(&name)
        || name.ends_with("MSGSRSV1")
        || name.ends_with("MSGSRQV1")
        || name.ends_with("MSGSRSV2")
        || name.ends_with("TRNRS")
        || name.ends_with("TRNRQ")
        || name.ends_with("SYNCRS")
}

struct Builder {
    stack: Vec<Node>,
    /// A leaf just closed implicitly; an end tag for it right after is redundant.
    last_leaf: Option<String>,
}

impl Builder {
    /// Close the top element. `explicit` is false when its end tag is
    /// missing: an unclosed element with no text that is not a known
    /// aggregate was an empty leaf ("<MEMO>" with no value), so whatever got
    /// nested under it belongs to its parent.
    fn close_top(&mut self, explicit: bool) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some(mut node) = self.stack.pop() else {
            return;
        };
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        if !explicit
            && node.text.trim().is_empty()
            && !is_aggregate(&node.name)
            && !node.children.is_empty()
        {
            let adopted = std::mem::take(&mut node.children);
            parent.children.push(node);
            parent.children.extend(adopted);
        } else {
            parent.children.push(node);
        }
    }

    fn open(&mut self, name: String, line: usize) -> bool {
        // OFX aggregates never contain themselves: a second <STMTTRN> while
        // one is open means the first one's end tag is missing.
        if is_aggregate(&name) {
            if let Some(i) = self.stack.iter().rposition(|n| n.name == name) {
                if i > 0 {
                    while self.stack.len() > i {
                        self.close_top(false);
                    }
                }
            }
        }
        if self.stack.len() > MAX_DEPTH {
            return false;
        }
        self.stack.push(Node::new(name, line));
        true
    }

    fn close(&mut self, name: &str) {
        if self.last_leaf.as_deref() == Some(name) {
            return;
        }
        if let Some(i) = self.stack.iter().rposition(|n| n.name == name) {
            if i == 0 {
                return;
            }
            while self.stack.len() > i + 1 {
                self.close_top(false);
            }
            self.close_top(true);
        }
    }
}

impl Builder {
    /// Adds the element whose start tag ends here: empty when self-closing,
    /// a leaf when text follows (true: `value` was taken as its text), else
    /// an open aggregate (dropped when too deep, rather than overflow
    /// anything).
    fn element(&mut self, name: String, line: usize, self_closing: bool, value: &str) -> bool {
        if self_closing {
            if let Some(top) = self.stack.last_mut() {
                top.children.push(Node::new(name, line));
            }
            return false;
        }
        if value.trim().is_empty() {
            self.open(name, line);
            return false;
        }
        let mut leaf = Node::new(name.clone(), line);
        leaf.text = lenient_unescape(value.trim());
        if let Some(top) = self.stack.last_mut() {
            top.children.push(leaf);
        }
        self.last_leaf = Some(name);
        true
    }
}

/// Read SGML-ish OFX markup starting at `first_line`. Never fails; nesting
/// beyond [`MAX_DEPTH`] is flattened.
pub(crate) fn parse(
    text: &str,
    first_line: usize,
    budget: &mut Budget,
) -> Result<Node, ParseError> {
    let mut lines = LineCounter::new(text, first_line);
    let mut b = Builder {
        stack: vec![Node::new(String::new(), first_line)],
        last_leaf: None,
    };
    let mut pos = 0usize;
    let bytes = text.as_bytes();
    while let Some(rel) = text.get(pos..).and_then(|r| r.find('<')) {
        let lt = pos + rel;
        let after = lt + 1;
        // A '<' followed by another '<' before any '>' is a stray character.
        let close_rel = text.get(after..).and_then(|r| r.find(['<', '>']));
        let Some(close_rel) = close_rel else { break };
        let gt = after + close_rel;
        if bytes.get(gt) == Some(&b'<') {
            pos = gt;
            continue;
        }
        let inner = text.get(after..gt).unwrap_or_default();
        pos = gt + 1;
        if inner.starts_with("!--") {
            if let Some(end) = text.get(after..).and_then(|r| r.find("-->")) {
                pos = after + end + 3;
            }
            continue;
        }
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let line = lines.line_at(lt);
        if let Some(name) = inner.strip_prefix('/') {
            let name = tag_name(name);
            if !name.is_empty() {
                b.close(&name);
            }
            b.last_leaf = None;
            continue;
        }
        let self_closing = inner.ends_with('/');
        let name = tag_name(inner.trim_end_matches('/'));
        if name.is_empty() {
            continue;
        }
        b.last_leaf = None;
        budget.elements(1)?;
        if TRANSACTION_TAGS.contains(&name.as_str()) {
            budget.saw_transaction()?;
        }
        let value_end = text
            .get(pos..)
            .and_then(|r| r.find('<'))
            .map_or(text.len(), |i| pos + i);
        let value = text.get(pos..value_end).unwrap_or_default();
        if b.element(name, line, self_closing, value) {
            pos = value_end;
        }
    }
    while b.stack.len() > 1 {
        b.close_top(false);
    }
    Ok(b.stack.pop().unwrap_or_default())
}

fn tag_name(inner: &str) -> String {
    let mut name: String = inner
        .trim()
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_string();
    name.make_ascii_uppercase();
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::limits::Limits;
    use crate::model::Format;

    fn parse(text: &str, first_line: usize) -> Node {
        let mut budget = Budget::new(&Limits::default(), Format::Ofx1);
        super::parse(text, first_line, &mut budget).unwrap()
    }

    #[test]
    fn stops_at_the_limits() {
        let limits = Limits {
            max_transactions: 3,
            max_elements: 50,
        };
        let trns = "<STMTTRN><TRNAMT>1\n".repeat(4);
        let e = super::parse(&trns, 1, &mut Budget::new(&limits, Format::Ofx1)).unwrap_err();
        assert!(
            e.is_limit() && e.message().contains("more than 3 transactions"),
            "{e}"
        );
        let wide = "<A/>".repeat(51);
        let e = super::parse(&wide, 1, &mut Budget::new(&limits, Format::Ofx1)).unwrap_err();
        assert!(
            e.is_limit() && e.message().contains("more than 50 elements"),
            "{e}"
        );
        let fits = "<STMTTRN><TRNAMT>1\n".repeat(3);
        assert!(super::parse(&fits, 1, &mut Budget::new(&limits, Format::Ofx1)).is_ok());
    }

    fn names(n: &Node) -> Vec<&str> {
        n.children.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn unclosed_leaves() {
        let root = parse(
            "<OFX><STMTTRN><TRNTYPE>DEBIT\n<TRNAMT>-1.00\n</STMTTRN></OFX>",
            1,
        );
        let trn = root.child("OFX").unwrap().child("STMTTRN").unwrap();
        assert_eq!(names(trn), ["TRNTYPE", "TRNAMT"]);
        assert_eq!(trn.child_value("TRNAMT"), Some("-1.00"));
        assert_eq!(trn.child("TRNAMT").unwrap().line, 2);
    }

    #[test]
    fn closed_leaves_and_self_closing() {
        let root = parse("<OFX><A>1</A><MEMO/><b>2</b></OFX>", 1);
        assert_eq!(names(root.child("OFX").unwrap()), ["A", "MEMO", "B"]);
    }

    #[test]
    fn empty_leaf_does_not_swallow_siblings() {
        let root = parse("<STMTTRN><MEMO>\n<TRNAMT>5\n<NAME>x\n</STMTTRN>", 1);
        let trn = root.child("STMTTRN").unwrap();
        assert_eq!(names(trn), ["MEMO", "TRNAMT", "NAME"]);
    }

    #[test]
    fn missing_aggregate_end_tags() {
        let root = parse(
            "<BANKTRANLIST><STMTTRN><TRNAMT>1<STMTTRN><TRNAMT>2</BANKTRANLIST><LEDGERBAL><BALAMT>3",
            1,
        );
        let list = root.child("BANKTRANLIST").unwrap();
        assert_eq!(names(list), ["STMTTRN", "STMTTRN"]);
        assert_eq!(root.find_value("BALAMT"), Some("3"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for s in [
            "<",
            "<<>>",
            "</>",
            "<a",
            "<!--",
            "<a></b></a></a>",
            "<\u{e9}>\u{e9}</\u{e9}>",
        ] {
            // No panic, and nothing made up: every element and text in
            // the tree comes from the input.
            let root = parse(s, 1);
            let mut stack = vec![&root];
            while let Some(n) = stack.pop() {
                for c in &n.children {
                    assert!(
                        s.to_uppercase().contains(&c.name.to_uppercase()),
                        "{s:?}: {}",
                        c.name
                    );
                    assert!(s.contains(c.text.trim()), "{s:?}: {:?}", c.text);
                    stack.push(c);
                }
            }
        }
    }

    #[test]
    fn depth_is_bounded() {
        fn depth(n: &Node) -> usize {
            1 + n.children.iter().map(depth).max().unwrap_or(0)
        }
        // Unclosed tags that are not aggregates are empty leaves: siblings.
        let root = parse(&"<A>\n".repeat(MAX_DEPTH * 4), 1);
        assert_eq!(depth(&root), 2);
        // Unclosed aggregates nest, never deeper than the bound.
        let doc: String = (0..MAX_DEPTH * 4)
            .map(|i| format!("<X{i}TRNRS>\n"))
            .collect();
        let root = parse(&doc, 1);
        assert_eq!(depth(&root), MAX_DEPTH + 1);
    }
}
