//! The optional OFAC screening hook on EnrollCustomer's `countryOfOrigin`:
//! a configurable list of comprehensively sanctioned jurisdictions.

#[derive(Debug, Clone)]
pub struct OfacScreen {
    blocked: Vec<String>,
}

impl OfacScreen {
    /// ISO codes and English names of the jurisdictions under comprehensive
    /// US sanctions programs at the time of writing; operators replace the
    /// list with `FUNDLINE_OFAC_BLOCKED_COUNTRIES`.
    pub fn default_list() -> Vec<String> {
        [
            "CU",
            "CUB",
            "Cuba",
            "IR",
            "IRN",
            "Iran",
            "KP",
            "PRK",
            "North Korea",
            "SY",
            "SYR",
            "Syria",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    pub fn new(blocked: Vec<String>) -> Self {
        OfacScreen {
            blocked: blocked
                .into_iter()
                .map(|s| normalize(&s))
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    pub fn disabled() -> Self {
        OfacScreen {
            blocked: Vec::new(),
        }
    }

    /// True when the country of origin is on the list.
    pub fn is_blocked(&self, country: &str) -> bool {
        let c = normalize(country);
        !c.is_empty() && self.blocked.contains(&c)
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_codes_and_names_case_insensitively() {
        let s = OfacScreen::new(OfacScreen::default_list());
        assert!(s.is_blocked("cu"));
        assert!(s.is_blocked("  north   KOREA "));
        assert!(!s.is_blocked("Canada"));
        assert!(!s.is_blocked(""));
        assert!(!OfacScreen::disabled().is_blocked("IR"));
    }
}
