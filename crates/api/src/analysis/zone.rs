//! `X-Timezone`: the IANA zone in which a staff user's date filters are read
//! and timestamps are rendered. Absent means UTC; an unknown name is a 400.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::error::AnalysisError;

#[derive(Debug, Clone, Copy)]
pub struct Zone(pub Tz);

impl<S: Send + Sync> FromRequestParts<S> for Zone {
    type Rejection = AnalysisError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(v) = parts.headers.get("x-timezone") else {
            return Ok(Zone(Tz::UTC));
        };
        v.to_str()
            .ok()
            .map(str::trim)
            .filter(|s| s.len() <= 64)
            .and_then(|s| s.parse::<Tz>().ok())
            .map(Zone)
            .ok_or_else(|| {
                AnalysisError::rejected(
                    "Bad Request",
                    ["X-Timezone must be an IANA time zone identifier (e.g. America/Los_Angeles)."],
                )
            })
    }
}

impl Zone {
    pub fn is_utc(&self) -> bool {
        self.0 == Tz::UTC
    }

    /// A stored instant (µs since the epoch) as ISO-8601 in this zone, with
    /// the spec's seven fractional digits; UTC is written with `Z`.
    pub fn render(&self, micros: i64) -> String {
        let utc = DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default();
        // chrono has no 7-digit fraction: ticks of 100 ns, written by hand.
        let ticks = utc.timestamp_subsec_nanos() / 100;
        if self.0 == Tz::UTC {
            return format!("{}.{ticks:07}Z", utc.format("%Y-%m-%dT%H:%M:%S"));
        }
        let local = utc.with_timezone(&self.0);
        format!(
            "{}.{ticks:07}{}",
            local.format("%Y-%m-%dT%H:%M:%S"),
            local.format("%:z")
        )
    }

    /// A filter bound: RFC 3339 with an offset as given; a date or a date
    /// and time without one is read in this zone. `end` makes a bare date
    /// mean the end of that day.
    pub fn parse(&self, s: &str, end: bool) -> Option<i64> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(t.timestamp_micros());
        }
        let naive = if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            if end {
                d.and_hms_micro_opt(23, 59, 59, 999_999)?
            } else {
                d.and_hms_opt(0, 0, 0)?
            }
        } else {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
                .ok()?
        };
        // A local time skipped by a DST change reads as the instant after it.
        self.0
            .from_local_datetime(&naive)
            .earliest()
            .or_else(|| {
                self.0
                    .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.timestamp_micros())
    }
}

/// A calendar date (birth dates, posting dates) as the spec writes it:
/// midnight, UTC. Dates carry no zone, so `X-Timezone` does not move them.
pub fn render_date(d: NaiveDate) -> String {
    format!("{}T00:00:00.0000000Z", d.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_the_zone_and_reads_filters_in_it() {
        let la = Zone("America/Los_Angeles".parse().unwrap());
        let t = DateTime::parse_from_rfc3339("2025-08-14T15:26:21.45Z")
            .unwrap()
            .timestamp_micros();
        assert_eq!(la.render(t), "2025-08-14T08:26:21.4500000-07:00");
        assert_eq!(Zone(Tz::UTC).render(t), "2025-08-14T15:26:21.4500000Z");
        let from = la.parse("2025-08-01", false).unwrap();
        assert_eq!(Zone(Tz::UTC).render(from), "2025-08-01T07:00:00.0000000Z");
        let to = la.parse("2025-08-01", true).unwrap();
        assert_eq!(Zone(Tz::UTC).render(to), "2025-08-02T06:59:59.9999990Z");
        assert_eq!(
            la.parse("2025-08-01T00:00:00Z", false),
            Zone(Tz::UTC).parse("2025-08-01", false)
        );
        assert!(la.parse("yesterday", false).is_none());
    }
}
