//! The numeric codes a check transaction shows in the partner's
//! GetTransactionHistory.
//!
//! The spec gives one sample, a funded money-in-minutes transaction:
//! `statusCode 14 "Account Funded"`, `state 4`, `processingStatus 1101`,
//! `classificationStatus 1012`, `loadStatus 1011`,
//! `mobileTransactionTypeId 100`, `declineReasonCode 0` with an empty
//! message. Every other value here is ours, chosen to extend that sample
//! consistently; partners see them, so they never change meaning once
//! shipped (new codes may be added).

use crate::risk::Decline;
use crate::Funding;

/// Where a check deposit is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Images and amount received, waiting for classification.
    Submitted,
    /// Classification (check type, MICR, amount read) done; waiting for
    /// the risk decision.
    Classified,
    /// Approved; the load to the card is scheduled.
    Approved,
    /// The money is on the card.
    Funded,
    /// Stopped; see the decline reason.
    Declined,
}

/// `processingStatus`: still moving.
pub const PROCESSING_IN_PROGRESS: i64 = 1100;
/// `processingStatus`: finished with the money loaded (the spec's sample).
pub const PROCESSING_COMPLETE: i64 = 1101;
/// `processingStatus`: finished without loading.
pub const PROCESSING_DECLINED: i64 = 1102;

/// `classificationStatus`: not classified yet.
pub const CLASSIFICATION_PENDING: i64 = 1010;
/// `classificationStatus`: classified (the spec's sample).
pub const CLASSIFICATION_CLASSIFIED: i64 = 1012;
/// `classificationStatus`: the images or MICR could not be classified.
pub const CLASSIFICATION_REJECTED: i64 = 1013;

/// `loadStatus`: nothing loaded and nothing scheduled.
pub const LOAD_NOT_LOADED: i64 = 1000;
/// `loadStatus`: approved, load scheduled (for the expected load date).
pub const LOAD_SCHEDULED: i64 = 1010;
/// `loadStatus`: loaded (the spec's sample).
pub const LOAD_LOADED: i64 = 1011;
/// `loadStatus`: the card network refused the load.
pub const LOAD_FAILED: i64 = 1012;

/// `mobileTransactionTypeId` for money in minutes (the spec's sample).
pub const MOBILE_TYPE_MINUTES: i64 = 100;
/// `mobileTransactionTypeId` for money in days.
pub const MOBILE_TYPE_DAYS: i64 = 200;

/// `declineReasonCode` of a transaction that was not declined.
pub const NO_DECLINE: i64 = 0;

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Submitted,
        Stage::Classified,
        Stage::Approved,
        Stage::Funded,
        Stage::Declined,
    ];

    /// `statusCode`. 13 and 15–19 are left free for stages between
    /// approval and funding that may come later.
    pub fn status_code(self) -> i64 {
        match self {
            Stage::Submitted => 10,
            Stage::Classified => 11,
            Stage::Approved => 12,
            Stage::Funded => 14,
            Stage::Declined => 20,
        }
    }

    /// `statusMessage`.
    pub fn status_message(self) -> &'static str {
        match self {
            Stage::Submitted => "Submitted",
            Stage::Classified => "Classified",
            Stage::Approved => "Approved - Awaiting Load",
            Stage::Funded => "Account Funded",
            Stage::Declined => "Declined",
        }
    }

    /// `state`: the stage's ordinal, 1 to 5.
    pub fn state(self) -> i64 {
        match self {
            Stage::Submitted => 1,
            Stage::Classified => 2,
            Stage::Approved => 3,
            Stage::Funded => 4,
            Stage::Declined => 5,
        }
    }

    pub fn processing_status(self) -> i64 {
        match self {
            Stage::Submitted | Stage::Classified | Stage::Approved => PROCESSING_IN_PROGRESS,
            Stage::Funded => PROCESSING_COMPLETE,
            Stage::Declined => PROCESSING_DECLINED,
        }
    }

    /// For `Declined` this is the value of a check refused before it was
    /// classified; when the reason is known use
    /// [`DeclineReason::classification_status`], which keeps 1012 for a
    /// check that was classified and then refused by the risk rules.
    pub fn classification_status(self) -> i64 {
        match self {
            Stage::Submitted => CLASSIFICATION_PENDING,
            Stage::Classified | Stage::Approved | Stage::Funded => CLASSIFICATION_CLASSIFIED,
            Stage::Declined => CLASSIFICATION_REJECTED,
        }
    }

    /// For `Declined` this is "not loaded"; a failed load is told by
    /// [`DeclineReason::load_status`].
    pub fn load_status(self) -> i64 {
        match self {
            Stage::Submitted | Stage::Classified | Stage::Declined => LOAD_NOT_LOADED,
            Stage::Approved => LOAD_SCHEDULED,
            Stage::Funded => LOAD_LOADED,
        }
    }

    /// The stage a stored `statusCode` stands for.
    pub fn from_status_code(code: i64) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.status_code() == code)
    }
}

/// `mobileTransactionTypeId`: 100 money in minutes, 200 money in days.
pub fn mobile_transaction_type(funding: Funding) -> i64 {
    match funding {
        Funding::Minutes => MOBILE_TYPE_MINUTES,
        Funding::Days => MOBILE_TYPE_DAYS,
    }
}

/// The funding a stored `mobileTransactionTypeId` stands for.
pub fn funding_from_mobile_transaction_type(id: i64) -> Option<Funding> {
    Funding::ALL
        .into_iter()
        .find(|f| mobile_transaction_type(*f) == id)
}

/// Why a check was declined: `declineReasonCode` and
/// `declineReasonMessage`. Hundreds group the stage that declines:
/// 1xx classification, 2xx amount, 3xx velocity, 4xx customer standing,
/// 5xx card and load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclineReason {
    ImageUnusable,
    MicrUnreadable,
    DuplicateImage,
    DuplicatePresentment,
    BelowMinimum,
    AboveMaximum,
    BelowCardMinimum,
    AboveCardMaximum,
    DailyVelocity,
    Velocity30Day,
    ReturnedCheckBalance,
    CardNotUsable,
    LoadFailed,
}

impl DeclineReason {
    pub const ALL: [DeclineReason; 13] = [
        DeclineReason::ImageUnusable,
        DeclineReason::MicrUnreadable,
        DeclineReason::DuplicateImage,
        DeclineReason::DuplicatePresentment,
        DeclineReason::BelowMinimum,
        DeclineReason::AboveMaximum,
        DeclineReason::BelowCardMinimum,
        DeclineReason::AboveCardMaximum,
        DeclineReason::DailyVelocity,
        DeclineReason::Velocity30Day,
        DeclineReason::ReturnedCheckBalance,
        DeclineReason::CardNotUsable,
        DeclineReason::LoadFailed,
    ];

    pub fn code(self) -> i64 {
        match self {
            DeclineReason::ImageUnusable => 101,
            DeclineReason::MicrUnreadable => 102,
            DeclineReason::DuplicateImage => 103,
            DeclineReason::DuplicatePresentment => 104,
            DeclineReason::BelowMinimum => 201,
            DeclineReason::AboveMaximum => 202,
            DeclineReason::BelowCardMinimum => 203,
            DeclineReason::AboveCardMaximum => 204,
            DeclineReason::DailyVelocity => 301,
            DeclineReason::Velocity30Day => 302,
            DeclineReason::ReturnedCheckBalance => 401,
            DeclineReason::CardNotUsable => 501,
            DeclineReason::LoadFailed => 502,
        }
    }

    /// Fixed, customer-readable text. It names the rule, never an amount
    /// or limit, so it can be shown as is and stays true if limits change.
    pub fn message(self) -> &'static str {
        match self {
            DeclineReason::ImageUnusable => {
                "The check images could not be used. Please retake the photos."
            }
            DeclineReason::MicrUnreadable => {
                "The numbers at the bottom of the check could not be read."
            }
            DeclineReason::DuplicateImage => "These check images were already submitted.",
            DeclineReason::DuplicatePresentment => "This check has already been deposited.",
            DeclineReason::BelowMinimum => "The check amount is below the minimum allowed.",
            DeclineReason::AboveMaximum => "The check amount is above the maximum allowed.",
            DeclineReason::BelowCardMinimum => "The check amount is below the card's minimum load.",
            DeclineReason::AboveCardMaximum => "The check amount is above the card's maximum load.",
            DeclineReason::DailyVelocity => "The daily check deposit limit has been reached.",
            DeclineReason::Velocity30Day => "The 30-day check deposit limit has been reached.",
            DeclineReason::ReturnedCheckBalance => {
                "There is an outstanding balance on returned checks."
            }
            DeclineReason::CardNotUsable => "The card cannot receive funds.",
            DeclineReason::LoadFailed => "The funds could not be loaded to the card.",
        }
    }

    /// `classificationStatus` of a transaction declined for this reason:
    /// rejected when classification itself failed, classified otherwise.
    pub fn classification_status(self) -> i64 {
        match self {
            DeclineReason::ImageUnusable
            | DeclineReason::MicrUnreadable
            | DeclineReason::DuplicateImage => CLASSIFICATION_REJECTED,
            _ => CLASSIFICATION_CLASSIFIED,
        }
    }

    /// `loadStatus` of a transaction declined for this reason.
    pub fn load_status(self) -> i64 {
        match self {
            DeclineReason::LoadFailed => LOAD_FAILED,
            _ => LOAD_NOT_LOADED,
        }
    }

    pub fn from_code(code: i64) -> Option<DeclineReason> {
        DeclineReason::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn decline(self) -> Decline {
        Decline {
            code: self.code(),
            message: self.message(),
        }
    }
}

impl From<DeclineReason> for Decline {
    fn from(r: DeclineReason) -> Decline {
        r.decline()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn funded_matches_the_spec_sample() {
        let s = Stage::Funded;
        assert_eq!(s.status_code(), 14);
        assert_eq!(s.status_message(), "Account Funded");
        assert_eq!(s.state(), 4);
        assert_eq!(s.processing_status(), 1101);
        assert_eq!(s.classification_status(), 1012);
        assert_eq!(s.load_status(), 1011);
        assert_eq!(mobile_transaction_type(Funding::Minutes), 100);
        assert_eq!(mobile_transaction_type(Funding::Days), 200);
        assert_eq!(NO_DECLINE, 0);
    }

    #[test]
    fn every_stage() {
        use Stage::*;
        let table = [
            (Submitted, 10, "Submitted", 1, 1100, 1010, 1000),
            (Classified, 11, "Classified", 2, 1100, 1012, 1000),
            (
                Approved,
                12,
                "Approved - Awaiting Load",
                3,
                1100,
                1012,
                1010,
            ),
            (Funded, 14, "Account Funded", 4, 1101, 1012, 1011),
            (Declined, 20, "Declined", 5, 1102, 1013, 1000),
        ];
        for (s, code, msg, state, proc, class, load) in table {
            assert_eq!(
                (
                    s.status_code(),
                    s.status_message(),
                    s.state(),
                    s.processing_status(),
                    s.classification_status(),
                    s.load_status()
                ),
                (code, msg, state, proc, class, load),
                "{s:?}"
            );
            assert_eq!(Stage::from_status_code(code), Some(s));
        }
        assert_eq!(Stage::from_status_code(13), None);
        assert_eq!(Stage::from_status_code(0), None);
    }

    #[test]
    fn mobile_types_round_trip() {
        for f in Funding::ALL {
            assert_eq!(
                funding_from_mobile_transaction_type(mobile_transaction_type(f)),
                Some(f)
            );
        }
        assert_eq!(funding_from_mobile_transaction_type(300), None);
    }

    #[test]
    fn decline_reasons() {
        use DeclineReason::*;
        let table = [
            (ImageUnusable, 101, 1013, 1000),
            (MicrUnreadable, 102, 1013, 1000),
            (DuplicateImage, 103, 1013, 1000),
            (DuplicatePresentment, 104, 1012, 1000),
            (BelowMinimum, 201, 1012, 1000),
            (AboveMaximum, 202, 1012, 1000),
            (BelowCardMinimum, 203, 1012, 1000),
            (AboveCardMaximum, 204, 1012, 1000),
            (DailyVelocity, 301, 1012, 1000),
            (Velocity30Day, 302, 1012, 1000),
            (ReturnedCheckBalance, 401, 1012, 1000),
            (CardNotUsable, 501, 1012, 1000),
            (LoadFailed, 502, 1012, 1012),
        ];
        assert_eq!(table.len(), DeclineReason::ALL.len());
        for (r, code, class, load) in table {
            assert_eq!(r.code(), code);
            assert_eq!(r.classification_status(), class, "{r:?}");
            assert_eq!(r.load_status(), load, "{r:?}");
            assert_eq!(DeclineReason::from_code(code), Some(r));
            let d = Decline::from(r);
            assert_eq!((d.code, d.message), (code, r.message()));
        }
        assert_eq!(DeclineReason::from_code(NO_DECLINE), None);
    }

    #[test]
    fn codes_and_messages_are_unique_and_plain() {
        let codes: HashSet<i64> = DeclineReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), DeclineReason::ALL.len());
        let msgs: HashSet<&str> = DeclineReason::ALL.iter().map(|r| r.message()).collect();
        assert_eq!(msgs.len(), DeclineReason::ALL.len());
        for m in msgs {
            assert!(!m.is_empty() && m.len() <= 100, "{m}");
            // No amounts or limits in the text.
            assert!(!m.contains('$') && !m.contains('%'), "{m}");
        }
        let status: HashSet<i64> = Stage::ALL.iter().map(|s| s.status_code()).collect();
        assert_eq!(status.len(), Stage::ALL.len());
    }
}
