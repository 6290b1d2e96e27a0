//! NSF and overdraft fee counts in the 30, 60 and 90 days ending on the
//! report's end date (both ends included), net of fees reversed in the same
//! days (never below 0).
//!
//! A fee is recognised by its text (NSF, INSUFFICIENT FUNDS, RETURNED ITEM,
//! UNPAID ITEM / OVERDRAFT, OD FEE, ...) or, when the text says nothing, by
//! the statement code (ACH return R01/R09 → NSF; a returned SEPA payment,
//! NRTI or AM04, is a returned payment, not a fee). A
//! reversal names the fee it reverses; a generic "FEE REVERSAL" offsets an
//! overdraft fee first, then an NSF fee.

use crate::categorize;
use crate::report::Ctx;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FeeCounts {
    pub(crate) nsf_30: u32,
    pub(crate) nsf_60: u32,
    pub(crate) nsf_90: u32,
    pub(crate) overdraft_30: u32,
    pub(crate) overdraft_60: u32,
    pub(crate) overdraft_90: u32,
}

pub(crate) fn count(ctx: &Ctx) -> FeeCounts {
    let (nsf_30, overdraft_30) = net_in_last(ctx, 30);
    let (nsf_60, overdraft_60) = net_in_last(ctx, 60);
    let (nsf_90, overdraft_90) = net_in_last(ctx, 90);
    FeeCounts {
        nsf_30,
        nsf_60,
        nsf_90,
        overdraft_30,
        overdraft_60,
        overdraft_90,
    }
}

/// (NSF, overdraft) fees net of reversals in the last `days` days.
fn net_in_last(ctx: &Ctx, days: i64) -> (u32, u32) {
    let end = ctx.window.end;
    let (mut nsf, mut od, mut nsf_rev, mut od_rev, mut generic_rev) =
        (0u32, 0u32, 0u32, 0u32, 0u32);
    // `order` is by date: walk back from the end until the window is passed.
    for &i in ctx.order.iter().rev() {
        if (end - ctx.dates[i]).num_days() >= days {
            break;
        }
        let c = ctx.cats[i];
        if c == categorize::NSF_FEE {
            nsf += 1;
        } else if c == categorize::OVERDRAFT_FEE {
            od += 1;
        } else if c == categorize::NSF_FEE_REVERSAL {
            nsf_rev += 1;
        } else if c == categorize::OD_FEE_REVERSAL {
            od_rev += 1;
        } else if c == categorize::FEE_REVERSAL {
            generic_rev += 1;
        }
    }
    let od_net = od.saturating_sub(od_rev);
    let to_od = generic_rev.min(od_net);
    let nsf_net = nsf
        .saturating_sub(nsf_rev)
        .saturating_sub(generic_rev - to_od);
    (nsf_net, od_net - to_od)
}
