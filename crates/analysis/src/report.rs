//! The window and the assembly of the report.
//!
//! Window: from the first transaction dated on or before `as_of` (but not
//! more than ten years before it) to `as_of`, both included. Months covered =
//! days ÷ 30.4375 (365.25 / 12), not rounded to whole months. "Per month"
//! figures divide by the months covered but by at least 1: less than a month
//! of data gives the totals seen, never an extrapolation (the data quality
//! block says so). Transactions outside the window
//! are categorised and take part in nothing else (except that a balance
//! anchored on an opening balance rolls them forward).

use crate::categorize::{self, Categorizer, Category, TextClass};
use crate::money::{self, days_per_month, r2};
use crate::normalize::{self, KeyBuilder, KeyTraits};
use crate::text::FnvMap;
use crate::{
    balances, expenses, income, loans, nsf, quality, ratios, score, transfers, DayBalance,
    ExtraMeasures, Input, Report, Txn,
};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

/// Longest window: older transactions are ignored (keeps the day-indexed
/// balance arrays bounded whatever dates arrive).
pub(crate) const MAX_WINDOW_DAYS: u64 = 3653;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    /// Calendar days, start and end included (≥ 1).
    pub(crate) days: i64,
    /// `days` ÷ 30.4375.
    pub(crate) months: Decimal,
    /// What "per month" figures divide by: `months`, but at least 1, so
    /// less than a month of data is never extrapolated to a month.
    pub(crate) per_month: Decimal,
    /// At least one transaction in the window.
    pub(crate) has_data: bool,
}

impl Window {
    pub(crate) fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// Day number within the window, 0-based.
    pub(crate) fn day_index(&self, d: NaiveDate) -> usize {
        (d - self.start).num_days().max(0) as usize
    }

    fn of(txns: &[Txn], as_of: NaiveDate) -> Window {
        let floor = as_of
            .checked_sub_days(Days::new(MAX_WINDOW_DAYS - 1))
            .unwrap_or(NaiveDate::MIN);
        let first = txns
            .iter()
            .map(|t| t.date)
            .filter(|&d| d <= as_of && d >= floor)
            .min();
        let start = first.unwrap_or(as_of);
        let days = (as_of - start).num_days() + 1;
        let months = money::div(Decimal::from(days), days_per_month());
        Window {
            start,
            end: as_of,
            days,
            months,
            per_month: months.max(Decimal::ONE),
            has_data: first.is_some(),
        }
    }
}

/// Everything the measures share, computed once.
pub(crate) struct Ctx<'a> {
    pub(crate) txns: &'a [Txn],
    /// Sanitised amounts (4 dp, clamped), same indexing as `txns`.
    pub(crate) amounts: Vec<Decimal>,
    /// The same in ten-thousandths, for sums and signs.
    pub(crate) units: Vec<i64>,
    /// Dates, compact: loops in date order read these rather than `txns`.
    pub(crate) dates: Vec<NaiveDate>,
    /// What the text says (memo rules, dictionary, statement code).
    pub(crate) text: Vec<TextClass>,
    /// Categories refined by structure as the analysis goes.
    pub(crate) cats: Vec<Category>,
    /// Counterparty key id per transaction (`u32::MAX` outside the window).
    pub(crate) key_of: Vec<u32>,
    pub(crate) keys: Vec<Box<str>>,
    pub(crate) traits: Vec<KeyTraits>,
    /// Window transactions by date (ties by index).
    pub(crate) order: Vec<usize>,
    pub(crate) own_transfer: Vec<bool>,
    pub(crate) window: Window,
}

impl Ctx<'_> {
    /// Indexes of the window's transactions, in input order (sequential
    /// memory access; use `order` only where date order matters).
    pub(crate) fn in_window(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.dates.len()).filter(move |&i| self.window.contains(self.dates[i]))
    }

    pub(crate) fn traits_of(&self, i: usize) -> KeyTraits {
        self.traits
            .get(self.key_of[i] as usize)
            .copied()
            .unwrap_or_default()
    }
}

struct TextAndKeys {
    text: Vec<TextClass>,
    /// Counterparty key id per transaction (`u32::MAX` outside the window).
    key_of: Vec<u32>,
    keys: Vec<Box<str>>,
}

/// Below this many transactions one thread does the text work.
const PARALLEL_FROM: usize = 40_000;

/// Categories and counterparty keys: the per-transaction text work, the
/// bulk of the engine's time. Both are read from the memo in one visit (it is
/// then in cache), and large inputs are split across the machine's cores.
/// Keys are interned (an allocation only for a key not seen before); the
/// result does not depend on how the work was split.
fn text_and_keys(txns: &[Txn], amounts: &[Decimal], window: &Window) -> TextAndKeys {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if threads < 2 || txns.len() < PARALLEL_FROM {
        return text_and_keys_chunk(txns, amounts, window);
    }
    let chunk = txns.len().div_ceil(threads);
    let parts: Vec<TextAndKeys> = std::thread::scope(|scope| {
        let handles: Vec<_> = txns
            .chunks(chunk)
            .zip(amounts.chunks(chunk))
            .map(|(t, a)| scope.spawn(move || text_and_keys_chunk(t, a, window)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                // A worker cannot panic short of a bug; redo its share inline
                // rather than propagate one.
                h.join().ok()
            })
            .collect::<Option<Vec<_>>>()
            .unwrap_or_else(|| {
                txns.chunks(chunk)
                    .zip(amounts.chunks(chunk))
                    .map(|(t, a)| text_and_keys_chunk(t, a, window))
                    .collect()
            })
    });
    // Merge the chunk-local key ids into one numbering.
    let mut ids: FnvMap<Box<str>, u32> = FnvMap::default();
    let mut keys: Vec<Box<str>> = Vec::new();
    let mut text = Vec::with_capacity(txns.len());
    let mut key_of = Vec::with_capacity(txns.len());
    for part in parts {
        let remap: Vec<u32> = part
            .keys
            .into_iter()
            .map(|k| {
                *ids.entry(k.clone()).or_insert_with(|| {
                    keys.push(k);
                    (keys.len() - 1) as u32
                })
            })
            .collect();
        text.extend(part.text);
        key_of.extend(
            part.key_of
                .into_iter()
                .map(|id| remap.get(id as usize).copied().unwrap_or(u32::MAX)),
        );
    }
    TextAndKeys { text, key_of, keys }
}

fn text_and_keys_chunk(txns: &[Txn], amounts: &[Decimal], window: &Window) -> TextAndKeys {
    let mut categorizer = Categorizer::default();
    let mut builder = KeyBuilder::default();
    let mut buf = String::new();
    let mut ids: FnvMap<Box<str>, u32> = FnvMap::default();
    let mut keys: Vec<Box<str>> = Vec::new();
    let mut text = Vec::with_capacity(txns.len());
    let mut key_of = vec![u32::MAX; txns.len()];
    for (i, (t, &a)) in txns.iter().zip(amounts).enumerate() {
        text.push(categorizer.classify(&t.memo, t.payee.as_deref(), a, t.kind.as_deref()));
        if !window.contains(t.date) {
            continue;
        }
        builder.key(&t.memo, t.payee.as_deref(), &mut buf);
        key_of[i] = match ids.get(buf.as_str()) {
            Some(&id) => id,
            None => {
                let id = keys.len() as u32;
                keys.push(buf.as_str().into());
                ids.insert(buf.as_str().into(), id);
                id
            }
        };
    }
    TextAndKeys { text, key_of, keys }
}

fn build_ctx(input: &Input) -> Ctx<'_> {
    let txns = &input.transactions[..];
    let window = Window::of(txns, input.as_of);
    let amounts: Vec<Decimal> = txns.iter().map(|t| money::sanitize(t.amount)).collect();
    let units: Vec<i64> = amounts
        .iter()
        .map(|&a| money::sanitized_to_units(a))
        .collect();
    let dates: Vec<NaiveDate> = txns.iter().map(|t| t.date).collect();

    let TextAndKeys { text, key_of, keys } = text_and_keys(txns, &amounts, &window);
    let cats: Vec<Category> = text.iter().map(|t| t.category).collect();

    // Window transactions by date: a counting sort on the day number is
    // linear and stable (ties stay in input order).
    let mut counts = vec![0usize; window.days as usize + 1];
    for t in txns {
        if window.contains(t.date) {
            counts[window.day_index(t.date) + 1] += 1;
        }
    }
    for d in 1..counts.len() {
        counts[d] += counts[d - 1];
    }
    let mut order = vec![0usize; *counts.last().unwrap_or(&0)];
    for (i, t) in txns.iter().enumerate() {
        if window.contains(t.date) {
            let slot = &mut counts[window.day_index(t.date)];
            order[*slot] = i;
            *slot += 1;
        }
    }

    let traits = keys.iter().map(|k| normalize::traits(k)).collect();
    let accounts: Vec<u32> = txns.iter().map(|t| t.account).collect();

    let own_transfer = transfers::match_own_transfers(&dates, &accounts, &units, &cats, &window);
    let mut ctx = Ctx {
        txns,
        amounts,
        units,
        dates,
        text,
        cats,
        key_of,
        keys,
        traits,
        order,
        own_transfer,
        window,
    };
    for i in 0..txns.len() {
        if ctx.own_transfer[i] {
            ctx.cats[i] = categorize::INTERNAL_TRANSFER;
        }
    }
    ctx
}

/// Builds the financial report. Never panics; see `docs/analysis-report.md`
/// for every definition.
///
/// The report covers the accounts in its currency (see `quality`): the
/// others are summarised in `data_quality` and their transactions only
/// categorised.
///
/// The report does not depend on the order of the transactions: files list
/// same-day transactions in any order, and the engine breaks ties by input
/// position. So the transactions are analysed in one canonical order (date,
/// account, amount, memo, payee, kind) and every per-transaction result is
/// mapped back to the caller's indices.
pub fn analyze(input: &Input) -> Report {
    let scope = quality::scope(input);
    let t = &input.transactions;
    let order = canonical_order(input, &scope);
    let (mut r, facts) = if scope.everything() && order.iter().enumerate().all(|(k, &i)| k == i) {
        analyze_in_order(input)
    } else {
        let canonical = canonical_input(input, &scope, &order);
        let (mut r, facts) = analyze_in_order(&canonical);
        let mut categories: Vec<Category> = t
            .iter()
            .zip(&scope.keep)
            .map(|(x, &keep)| {
                if keep {
                    categorize::UNCATEGORIZED
                } else {
                    categorize::categorize_with_kind(
                        &x.memo,
                        x.payee.as_deref(),
                        x.amount,
                        x.kind.as_deref(),
                    )
                }
            })
            .collect();
        for (k, &i) in order.iter().enumerate() {
            if let Some(c) = r.categories.get(k) {
                categories[i] = *c;
            }
        }
        r.categories = categories;
        let back = |k: usize| order.get(k).copied().unwrap_or(k);
        for s in &mut r.likely_employers {
            s.transactions = s.transactions.iter().map(|&k| back(k)).collect();
        }
        for l in &mut r.potential_loans {
            l.credit = l.credit.map(back);
            l.debits = l.debits.iter().map(|&k| back(k)).collect();
        }
        (r, facts)
    };
    r.data_quality = quality::assess(
        input,
        &scope,
        &quality::Facts {
            window: &facts.0,
            balances: &facts.1,
        },
    );
    r
}

/// The kept transactions' indexes in the canonical order (date, account,
/// amount, memo, payee, kind): see `analyze`.
fn canonical_order(input: &Input, scope: &quality::Scope) -> Vec<usize> {
    let t = &input.transactions;
    let mut order: Vec<usize> = (0..t.len()).filter(|&i| scope.keep[i]).collect();
    order.sort_by_key(|&i| {
        let x = &t[i];
        (x.date, x.account, x.amount, &x.memo, &x.payee, &x.kind)
    });
    order
}

/// The report's accounts and transactions in the canonical order.
fn canonical_input(input: &Input, scope: &quality::Scope, order: &[usize]) -> Input {
    Input {
        accounts: input
            .accounts
            .iter()
            .filter(|a| scope.includes(a.id))
            .cloned()
            .collect(),
        transactions: order
            .iter()
            .map(|&i| input.transactions[i].clone())
            .collect(),
        as_of: input.as_of,
        applicant_name: None,
        today: None,
        stale_after_days: None,
    }
}

/// The combined end-of-day balance of every day of the report's window, as
/// `analyze` computes it for the average daily balance and the negative
/// days (`balances`), for a chart: the report stores only those measures.
pub fn daily_balances(input: &Input) -> Vec<DayBalance> {
    on_canonical(input, |canonical, ctx| {
        balances::compute(canonical, ctx).daily
    })
}

/// `daily_balances` and `events` from one pass over the data (the console
/// shows both on one page).
pub fn daily_balances_and_events(input: &Input) -> (Vec<DayBalance>, Vec<Event>) {
    on_canonical(input, |canonical, ctx| {
        (
            balances::compute(canonical, ctx).daily,
            events_of(canonical, ctx),
        )
    })
}

/// `f` over the report's accounts and transactions in the canonical order
/// and their context, as `analyze` builds them.
fn on_canonical<T>(input: &Input, f: impl FnOnce(&Input, &Ctx) -> T) -> T {
    let scope = quality::scope(input);
    let order = canonical_order(input, &scope);
    let canonical = canonical_input(input, &scope, &order);
    let ctx = build_ctx(&canonical);
    f(&canonical, &ctx)
}

/// What a fee or transfer event is (`events`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EventKind {
    NsfFee,
    OverdraftFee,
    /// A fee given back (NSF, overdraft or unnamed): the counts are net of these.
    FeeReversal,
    /// Money moved between two of the customer's own accounts (matched
    /// pair; left out of income and expenses).
    OwnTransfer,
    /// A transfer its text names as between the customer's own accounts
    /// (the other account is not in the data, so there is no pair to
    /// match); left out of expenses.
    InternalTransfer,
}

/// One transaction behind the report's NSF, overdraft and own-transfer
/// counts, for a list beside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub kind: EventKind,
    pub date: NaiveDate,
    pub account: u32,
    pub amount: Decimal,
    pub memo: String,
}

/// The window's NSF and overdraft fees, fee reversals and own transfers,
/// newest first: the transactions `analyze` counts for the report's
/// `nsfCount*`, `overdraftCount*` and `ownTransferCount` (matched pairs),
/// recognised by the same rules, and the transfers whose text names them
/// internal. The report stores only the counts.
pub fn events(input: &Input) -> Vec<Event> {
    on_canonical(input, events_of)
}

fn events_of(canonical: &Input, ctx: &Ctx) -> Vec<Event> {
    ctx.order
        .iter()
        .rev()
        .filter_map(|&i| {
            let c = ctx.cats[i];
            let kind = if ctx.own_transfer[i] {
                EventKind::OwnTransfer
            } else if c == categorize::NSF_FEE {
                EventKind::NsfFee
            } else if c == categorize::OVERDRAFT_FEE {
                EventKind::OverdraftFee
            } else if c == categorize::NSF_FEE_REVERSAL
                || c == categorize::OD_FEE_REVERSAL
                || c == categorize::FEE_REVERSAL
            {
                EventKind::FeeReversal
            } else if c == categorize::INTERNAL_TRANSFER {
                EventKind::InternalTransfer
            } else {
                return None;
            };
            let t = &canonical.transactions[i];
            Some(Event {
                kind,
                date: t.date,
                account: t.account,
                amount: t.amount,
                memo: t.memo.clone(),
            })
        })
        .collect()
}

/// The measures beyond the spec's report: the window, debt service and
/// essential spending, fee and overdraft counts, balance spread, loan
/// stacking, and the score's parts.
fn extra_measures(
    ctx: &Ctx,
    rat: &ratios::Ratios,
    fees: nsf::FeeCounts,
    bal: &balances::Balances,
    stacking: &loans::Stacking,
    score_components: Vec<crate::ScoreComponent>,
) -> ExtraMeasures {
    ExtraMeasures {
        window_start: ctx.window.has_data.then_some(ctx.window.start),
        window_end: ctx.window.end,
        window_days: ctx.window.days.clamp(0, i64::from(u32::MAX)) as u32,
        months_covered: r2(ctx.window.months),
        income_detected: rat.income > Decimal::ZERO,
        historical_income_per_month: r2(rat.historical_income),
        debt_service_per_month: r2(rat.debt_service),
        debt_service_ratio: rat.debt_service_ratio.map(r2),
        essential_spend_per_month: r2(rat.essential),
        residual_income: r2(rat.residual_income),
        nsf_count_30: fees.nsf_30,
        nsf_count_60: fees.nsf_60,
        nsf_count_90: fees.nsf_90,
        overdraft_count_30: fees.overdraft_30,
        overdraft_count_60: fees.overdraft_60,
        overdraft_count_90: fees.overdraft_90,
        negative_balance_days: bal.negative_days,
        minimum_balance: r2(bal.minimum),
        p10_balance: r2(bal.p10),
        p90_balance: r2(bal.p90),
        average_daily_balance_60d: r2(bal.average_60d),
        average_daily_balance_180d: r2(bal.average_180d),
        balance_anchor: bal.anchor,
        own_transfer_count: ctx.own_transfer.iter().filter(|&&m| m).count() as u32,
        max_concurrent_loans: stacking.max_concurrent,
        loan_stacking: stacking.max_concurrent >= 2,
        score_components,
    }
}

fn analyze_in_order(input: &Input) -> (Report, (Window, Vec<balances::AccountBalance>)) {
    let mut ctx = build_ctx(input);

    let streams = income::detect(&ctx);
    income::relabel(&mut ctx, &streams);
    let potential_loans = loans::detect(&ctx);
    loans::relabel(&mut ctx, &potential_loans);
    let stacking = loans::stacking(&ctx, &potential_loans);

    let exp = expenses::compute(&ctx);
    let bal = balances::compute(input, &ctx);
    let fees = nsf::count(&ctx);
    let rat = ratios::compute(&ctx, &streams, &exp);
    let sc = score::compute(&score::Inputs {
        income_per_month: rat.income,
        expenses_per_month: rat.expenses,
        income_probability: rat.income_probability,
        average_daily_balance: bal.average_daily_balance,
        nsf_and_overdraft_90: fees.nsf_90 + fees.overdraft_90,
        negative_days: bal.negative_days,
        window_days: ctx.window.days,
        months_covered: ctx.window.months,
        max_concurrent_loans: stacking.max_concurrent,
        has_data: ctx.window.has_data,
    });

    let first_transaction_date = ctx.window.has_data.then_some(ctx.window.start);
    let extra = extra_measures(&ctx, &rat, fees, &bal, &stacking, sc.components);
    let report = Report {
        score: sc.score,
        available_balance: r2(bal.available),
        current_balance: r2(bal.current),
        average_income_per_month: r2(rat.income),
        average_annual_income: r2(rat.annual_income),
        average_expenses_per_month: r2(rat.expenses),
        debt_to_income_ratio: r2(rat.debt_to_income),
        disposable_income: r2(rat.disposable),
        average_daily_balance: r2(bal.average_daily_balance),
        income_probability: r2(rat.income_probability),
        monthly_ability_to_pay: r2(rat.monthly_ability_to_pay),
        bi_weekly_ability_to_pay: r2(rat.bi_weekly_ability_to_pay),
        first_transaction_date,
        monthly_expense: r2(exp.monthly_expense),
        likely_employers: streams,
        monthly_expenditures: exp.monthly,
        potential_loans,
        categories: ctx.cats,
        extra,
        data_quality: Default::default(),
    };
    (report, (ctx.window, bal.accounts))
}
