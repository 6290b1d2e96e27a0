//! Properties that must hold for every input, not just the examples in
//! each module's tests.

use proptest::prelude::*;

use crate::codes::DeclineReason;
use crate::fees::{fee_cents, FeeSchedule};
use crate::image::{inspect, samples, ImageLimits};
use crate::micr::{self, Micr};
use crate::risk::{
    attributes_from, decide, effective_limits, Attributes, CardLimits, Limits, Velocity,
    BOOST_CEILING_CENTS,
};
use crate::{expected_load_date, CheckType, Funding};

fn check_type() -> impl Strategy<Value = CheckType> {
    prop::sample::select(CheckType::ALL.to_vec())
}

fn funding() -> impl Strategy<Value = Funding> {
    prop::sample::select(Funding::ALL.to_vec())
}

const ROUTINGS: [&str; 5] = [
    "011000015",
    "021000021",
    "026009593",
    "121000358",
    "322271627",
];

/// One spelling per convention: (transit, on-us, amount).
const CONVENTIONS: [(&str, &str, &str); 3] = [("⑆", "⑈", "⑇"), ("T", "O", "$"), ("A", "C", "B")];

fn micr_value() -> impl Strategy<Value = Micr> {
    (
        prop::sample::select(ROUTINGS.to_vec()),
        "[0-9]{3,16}[1-9]",
        "[0-9]{1,15}",
    )
        .prop_map(|(r, account, check)| Micr {
            routing: r.to_string(),
            account,
            check_number: check,
        })
}

fn attributes() -> impl Strategy<Value = Attributes> {
    (
        prop::option::of(-2i64..5),
        prop::option::of(prop_oneof![Just(0i64), 1i64..100_000, Just(i64::MAX)]),
        prop::option::of(0i64..20),
        prop::option::of(any::<bool>()),
        prop::option::of(-1i64..60),
        prop::option::of(prop_oneof![Just(0i64), 1i64..1_000_000, Just(i64::MAX)]),
    )
        .prop_map(|(r, b, c, dd, t, avg)| Attributes {
            checks_returned_90d: r,
            balance_on_returned_checks_cents: b,
            checks_cashed_90d: c,
            direct_deposit: dd,
            tenure_months: t,
            average_check_cashed_cents: avg,
        })
}

fn limits() -> impl Strategy<Value = Limits> {
    (
        -1_000i64..100_000,
        prop_oneof![-1i64..1_000_000, Just(i64::MAX)],
        -1i64..10,
        prop_oneof![-1i64..2_000_000, Just(i64::MAX)],
        -1i64..50,
        prop_oneof![-1i64..5_000_000, Just(i64::MAX)],
    )
        .prop_map(|(min, max, dc, dcents, c30, cents30)| Limits {
            min_cents: min,
            max_cents: max,
            daily_count: dc,
            daily_cents: dcents,
            count_30d: c30,
            cents_30d: cents30,
        })
}

fn velocity() -> impl Strategy<Value = Velocity> {
    (0i64..10, 0i64..2_000_000, 0i64..50, 0i64..5_000_000).prop_map(|(tc, tcents, c, cents)| {
        Velocity {
            today_count: tc,
            today_cents: tcents,
            count_30d: c.max(tc),
            cents_30d: cents.max(tcents),
        }
    })
}

fn card() -> impl Strategy<Value = CardLimits> {
    (0i64..10_000, 0i64..2_000_000).prop_map(|(min, max)| CardLimits {
        min_cents: min,
        max_cents: max,
    })
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        -1_000i64..2_000_000,
        Just(0i64),
        Just(i64::MAX),
        Just(i64::MIN),
        any::<i64>()
    ]
}

proptest! {
    #[test]
    fn micr_parse_never_panics(line in any::<String>()) {
        let _ = micr::parse(&line);
    }

    #[test]
    fn micr_parse_never_panics_on_micr_like_text(
        line in "[0-9TtAaOoCcBbDd$⑆⑈⑇⑉ ?*-]{0,90}"
    ) {
        if let Ok(m) = micr::parse(&line) {
            prop_assert!(fundline_core::routing::valid_aba_routing(&m.routing));
            prop_assert!((4..=17).contains(&m.account.len()));
            prop_assert!((1..=15).contains(&m.check_number.len()));
            prop_assert!(m.account.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(m.check_number.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(m.presentment_key().split('|').count(), 3);
        }
    }

    #[test]
    fn micr_round_trips_in_every_convention(
        m in micr_value(),
        conv in 0usize..3,
        business in any::<bool>(),
        spaces in any::<bool>(),
        amount in prop::option::of("[0-9]{10}"),
    ) {
        let (t, o, a) = CONVENTIONS[conv];
        let sp = if spaces { " " } else { "" };
        let tail = amount.map(|d| format!("{sp}{a}{d}{a}")).unwrap_or_default();
        let line = if business {
            format!("{o}{}{o}{sp}{t}{}{t}{sp}{}{o}{tail}", m.check_number, m.routing, m.account)
        } else {
            format!("{t}{}{t}{sp}{}{o}{sp}{}{tail}", m.routing, m.account, m.check_number)
        };
        prop_assert_eq!(micr::parse(&line), Ok(m));
    }

    #[test]
    fn inspect_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = inspect("front", &bytes, &ImageLimits::default());
    }

    #[test]
    fn inspect_never_panics_behind_a_real_signature(
        prefix in prop::sample::select(vec![
            &b"\xFF\xD8\xFF"[..], &b"\x89PNG"[..], &b"II\x2a\x00"[..], &b"MM\x00\x2a"[..],
        ]),
        tail in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut b = prefix.to_vec();
        b.extend_from_slice(&tail);
        let _ = inspect("front", &b, &ImageLimits::default());
    }

    #[test]
    fn inspect_never_panics_on_damaged_headers(
        which in 0usize..4,
        w in any::<u16>(),
        h in any::<u16>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut b = match which {
            0 => samples::png(u32::from(w), u32::from(h)),
            1 => samples::jpeg(w, h),
            2 => samples::tiff_le(u32::from(w), u32::from(h)),
            _ => samples::tiff_be(w, h),
        };
        for (i, v) in edits {
            let i = i.index(b.len());
            b[i] = v;
        }
        let keep = cut.index(b.len() + 1);
        b.truncate(keep);
        if let Ok(info) = inspect("back", &b, &ImageLimits::default()) {
            let (long, short) = (info.width.max(info.height), info.width.min(info.height));
            prop_assert!((200..=6000).contains(&long));
            prop_assert!((100..=6000).contains(&short));
        }
    }

    #[test]
    fn intact_headers_report_their_size(w in 200u16..6000, h in 100u16..200) {
        for (bytes, fw, fh) in [
            (samples::png(u32::from(w), u32::from(h)), w, h),
            (samples::jpeg(w, h), w, h),
            (samples::tiff_le(u32::from(w), u32::from(h)), w, h),
            (samples::tiff_be(w, h), w, h),
        ] {
            let info = inspect("front", &bytes, &ImageLimits::default()).unwrap();
            prop_assert_eq!((info.width, info.height), (u32::from(fw), u32::from(fh)));
        }
    }

    #[test]
    fn fee_is_bounded(
        amount in amount(),
        t in check_type(),
        f in funding(),
        bp in 0i64..=10_000,
        min in 0i64..=10_000,
    ) {
        let s = FeeSchedule {
            minutes_payroll_bp: bp,
            minutes_government_bp: bp,
            minutes_other_bp: bp,
            minutes_minimum_cents: min,
            days_bp: bp,
            days_minimum_cents: min,
        };
        for s in [&s, &FeeSchedule::default()] {
            let fee = fee_cents(amount, t, f, s);
            prop_assert!(fee >= 0);
            prop_assert!(fee <= amount.max(0));
            let (_, minimum) = s.rate(t, f);
            if amount >= minimum {
                prop_assert!(fee >= minimum);
            }
        }
    }

    #[test]
    fn fee_never_decreases_with_the_amount(
        a in 0i64..10_000_000,
        step in 0i64..1_000_000,
        t in check_type(),
        f in funding(),
    ) {
        let s = FeeSchedule::default();
        prop_assert!(fee_cents(a, t, f, &s) <= fee_cents(a + step, t, f, &s));
    }

    #[test]
    fn fee_survives_any_schedule(
        amount in amount(),
        t in check_type(),
        f in funding(),
        v in prop::array::uniform6(any::<i64>()),
    ) {
        let s = FeeSchedule {
            minutes_payroll_bp: v[0],
            minutes_government_bp: v[1],
            minutes_other_bp: v[2],
            minutes_minimum_cents: v[3],
            days_bp: v[4],
            days_minimum_cents: v[5],
        };
        let fee = fee_cents(amount, t, f, &s);
        prop_assert!(fee >= 0 && fee <= amount.max(0));
    }

    #[test]
    fn raising_the_amount_never_undoes_above_maximum(
        a in amount(),
        step in 0i64..1_000_000,
        card in card(),
        l in limits(),
        attrs in attributes(),
        v in velocity(),
        dup in any::<bool>(),
    ) {
        let higher = a.saturating_add(step);
        let l = effective_limits(&l, &attrs);
        let low = decide(a, card, &l, &attrs, v, dup);
        let high = decide(higher, card, &l, &attrs, v, dup);
        if let Err(d) = low {
            if d.reason() == Some(DeclineReason::AboveMaximum) {
                prop_assert_eq!(high.map_err(|d| d.reason()), Err(Some(DeclineReason::AboveMaximum)));
            }
            // Any decline but "too small" stays a decline as the amount grows.
            let too_small = matches!(
                d.reason(),
                Some(DeclineReason::BelowMinimum | DeclineReason::BelowCardMinimum)
            );
            if !too_small {
                prop_assert!(high.is_err(), "{:?} then approved at {}", d, higher);
            }
        }
    }

    #[test]
    fn decide_never_panics_and_codes_are_known(
        a in amount(),
        card in (any::<i64>(), any::<i64>()),
        l in prop::array::uniform6(any::<i64>()),
        attrs in attributes(),
        v in prop::array::uniform4(any::<i64>()),
        dup in any::<bool>(),
    ) {
        let limits = Limits {
            min_cents: l[0], max_cents: l[1], daily_count: l[2],
            daily_cents: l[3], count_30d: l[4], cents_30d: l[5],
        };
        let velocity = Velocity {
            today_count: v[0], today_cents: v[1], count_30d: v[2], cents_30d: v[3],
        };
        let card = CardLimits { min_cents: card.0, max_cents: card.1 };
        if let Err(d) = decide(a, card, &limits, &attrs, velocity, dup) {
            prop_assert!(d.reason().is_some());
        } else {
            prop_assert!(a > 0 && a >= limits.min_cents);
            prop_assert!(a <= card.max_cents && a >= card.min_cents);
        }
    }

    #[test]
    fn effective_maximum_only_rises_by_the_boost(l in limits(), attrs in attributes()) {
        let e = effective_limits(&l, &attrs);
        let ceiling = l.max_cents.max((l.max_cents.saturating_mul(3) / 2).min(BOOST_CEILING_CENTS));
        prop_assert!(e.max_cents <= ceiling);
        prop_assert_eq!(e.min_cents, l.min_cents);
        prop_assert!(e.daily_count <= l.daily_count);
        prop_assert!(e.count_30d <= l.count_30d);
        if attrs.balance_on_returned_checks_cents.is_some_and(|b| b > 0) {
            prop_assert_eq!(e.max_cents, 0);
        }
        if attrs.checks_returned_90d.is_some_and(|r| r > 0) {
            prop_assert!(e.max_cents <= l.max_cents / 2 || e.max_cents <= 0);
        }
    }

    #[test]
    fn attributes_from_never_panics(
        pairs in prop::collection::vec((any::<String>(), any::<String>()), 0..8),
        known in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "NumberOfChecksReturned", "BalanceOnReturnedChecks", "NumberOfChecksCashed",
                    "DirectDeposit", "Tenure", "AverageCheckCashedAmt",
                ]),
                "[0-9.TrueFalse -]{0,24}",
            ),
            0..8,
        ),
    ) {
        let _ = attributes_from(&pairs);
        let known: Vec<(String, String)> =
            known.into_iter().map(|(n, v)| (n.to_string(), v)).collect();
        let a = attributes_from(&known);
        for v in [a.checks_returned_90d, a.checks_cashed_90d, a.tenure_months,
                  a.balance_on_returned_checks_cents, a.average_check_cashed_cents].into_iter().flatten() {
            prop_assert!(v >= 0);
        }
    }

    #[test]
    fn load_date_is_a_banking_day_on_or_after_submission(days in -1_000_000i64..1_000_000, f in funding()) {
        let base = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let submitted = base
            .checked_add_signed(chrono::TimeDelta::days(days))
            .unwrap_or(base);
        let due = expected_load_date(submitted, f);
        prop_assert!(due >= submitted);
        match f {
            Funding::Minutes => prop_assert_eq!(due, submitted),
            Funding::Days => {
                prop_assert!(fundline_core::calendar::is_banking_day(due));
                // At least ten calendar days later, at most ~a month.
                let gap = (due - submitted).num_days();
                prop_assert!((14..=30).contains(&gap), "{gap}");
            }
        }
    }
}
