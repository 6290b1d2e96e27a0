//! The page of a report that cannot be read yet: where the request stands
//! on its way to a report (link sent, consent, data shared, analysis),
//! read from the request's own record, and, while it may still move, a
//! page that refreshes itself.

use askama::Template;
use fundline_store::reports::{ReportRequest, COMPLETED, FAILED, PENDING};

use crate::analysis::report_data::not_ready_reason;

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Done,
    /// The step the request is at (or stopped at).
    Current,
    Todo,
}

/// One step on the way to a report.
pub(super) struct Step {
    pub(super) label: &'static str,
    pub(super) mark: Mark,
    /// When it happened, or what is happening.
    pub(super) detail: String,
}

impl Step {
    /// The word a screen reader hears before the step.
    pub fn state(&self) -> &'static str {
        match self.mark {
            Mark::Done => "Done",
            Mark::Current => "Now",
            Mark::Todo => "To come",
        }
    }

    pub fn class(&self) -> &'static str {
        match self.mark {
            Mark::Done => "done",
            Mark::Current => "current",
            Mark::Todo => "todo",
        }
    }
}

/// A time of the store (microseconds since the epoch), to the minute in UTC.
fn minute(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The request's steps: link sent, consent given, bank data shared, the
/// report built. The first step not done is the current one.
pub(super) fn steps(r: &ReportRequest) -> Vec<Step> {
    let shared = r.job_state.is_some();
    let running = r.job_state.as_deref() == Some("running");
    let built = r.status == COMPLETED;
    let analysis = match (r.status, running) {
        (FAILED, _) => "The analysis failed.".to_string(),
        (_, true) if r.job_attempts > 1 => format!("Analysing (attempt {}).", r.job_attempts),
        (_, true) => "Analysing the statements.".to_string(),
        _ if shared && !built => "Waiting for a worker.".to_string(),
        _ => String::new(),
    };
    let done = [
        ("Link sent to the customer", true, minute(r.created_at)),
        (
            "Customer agreed to share bank data",
            r.consent_at.is_some(),
            r.consent_at.map(minute).unwrap_or_default(),
        ),
        ("Bank data shared", shared, String::new()),
        ("Report built", built, analysis),
    ];
    let current = done.iter().position(|(_, d, _)| !d);
    done.into_iter()
        .enumerate()
        .map(|(i, (label, d, detail))| Step {
            label,
            mark: match (d, Some(i) == current) {
                (true, _) => Mark::Done,
                (false, true) => Mark::Current,
                (false, false) => Mark::Todo,
            },
            detail,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/report_building.html")]
pub(super) struct BuildingPage<'a> {
    pub(super) nonce: &'a str,
    pub(super) frame: &'a super::Frame,
    pub(super) name: String,
    pub(super) text: &'static str,
    pub(super) steps: Vec<Step>,
    /// Steps done, of `steps.len()`, for the progress bar.
    pub(super) done: usize,
    /// Still pending: the page refreshes itself.
    pub(super) refresh: bool,
}

impl<'a> BuildingPage<'a> {
    pub(super) fn of(frame: &'a super::Frame, name: String, r: &ReportRequest) -> BuildingPage<'a> {
        let steps = steps(r);
        BuildingPage {
            nonce: &frame.nonce,
            frame,
            name,
            text: not_ready_reason(r.status),
            done: steps.iter().filter(|s| s.mark == Mark::Done).count(),
            steps,
            // An expired or failed request will not move by itself.
            refresh: r.status == PENDING,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fundline_store::reports::EXPIRED;

    fn request(
        status: i64,
        consent: Option<i64>,
        job: Option<&str>,
        attempts: i64,
    ) -> ReportRequest {
        ReportRequest {
            id: "r".into(),
            tenant_id: "t".into(),
            customer_id: "c".into(),
            report_number: "1".into(),
            request_type: 1,
            sent_via: 1,
            status,
            created_by: "u".into(),
            link_token_hash: String::new(),
            link_expires_at: 0,
            consent_at: consent,
            job_state: job.map(str::to_string),
            job_claimed_at: None,
            job_attempts: attempts,
            failure_reason: None,
            report_score: None,
            start_date: 0,
            end_date: None,
            created_at: 1_700_000_000_000_000,
            updated_at: None,
            superseded_by: None,
        }
    }

    fn marks(r: &ReportRequest) -> Vec<Mark> {
        steps(r).iter().map(|s| s.mark).collect()
    }

    #[test]
    fn the_first_step_not_done_is_the_current_one() {
        use Mark::*;
        let sent = request(PENDING, None, None, 0);
        assert_eq!(marks(&sent), [Done, Current, Todo, Todo]);
        assert_eq!(steps(&sent)[0].detail, "2023-11-14 22:13 UTC");
        let agreed = request(PENDING, Some(1_700_000_060_000_000), None, 0);
        assert_eq!(marks(&agreed), [Done, Done, Current, Todo]);
        assert_eq!(steps(&agreed)[1].detail, "2023-11-14 22:14 UTC");
        let queued = request(PENDING, Some(1), Some("queued"), 0);
        assert_eq!(marks(&queued), [Done, Done, Done, Current]);
        assert_eq!(steps(&queued)[3].detail, "Waiting for a worker.");
        let retried = request(PENDING, Some(1), Some("running"), 2);
        assert_eq!(steps(&retried)[3].detail, "Analysing (attempt 2).");
        let failed = request(FAILED, Some(1), Some("done"), 1);
        assert_eq!(marks(&failed), [Done, Done, Done, Current]);
        assert_eq!(steps(&failed)[3].detail, "The analysis failed.");
        let expired = request(EXPIRED, None, None, 0);
        assert_eq!(marks(&expired), [Done, Current, Todo, Todo]);
    }
}
