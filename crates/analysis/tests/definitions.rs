//! One test per definition, each on a hand-built history whose answer is
//! worked out by hand (see docs/analysis-report.md for the definitions).

use chrono::{Datelike, Days, NaiveDate, Weekday};
use fundline_analysis::{
    analyze, categorize, daily_balances, daily_balances_and_events, events, AccountInput, Cadence,
    EventKind, Input, Report, Txn,
};
use fundline_core::testing::d;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn txn(account: u32, date: NaiveDate, amount: &str, memo: &str) -> Txn {
    Txn {
        account,
        date,
        amount: dec(amount),
        memo: memo.to_string(),
        payee: None,
        kind: None,
    }
}

fn input(transactions: Vec<Txn>, as_of: NaiveDate) -> Input {
    Input {
        accounts: vec![],
        transactions,
        as_of,
        ..Default::default()
    }
}

/// Account 1's transactions in 2024, one (month, day, amount, memo) a row.
fn txns(rows: &[(u32, u32, &str, &str)]) -> Vec<Txn> {
    rows.iter()
        .map(|&(m, day, amount, memo)| txn(1, d(2024, m, day), amount, memo))
        .collect()
}

/// `amount` with `memo` on `day` of each of `months` of 2024, account 1.
fn monthly(months: std::ops::RangeInclusive<u32>, day: u32, amount: &str, memo: &str) -> Vec<Txn> {
    months
        .map(|m| txn(1, d(2024, m, day), amount, memo))
        .collect()
}

fn every(start: NaiveDate, step: u64, until: NaiveDate) -> Vec<NaiveDate> {
    let mut v = Vec::new();
    let mut x = start;
    while x <= until {
        v.push(x);
        x = x.checked_add_days(Days::new(step)).unwrap();
    }
    v
}

/// Bi-weekly 1,000.00 from ACME on Fridays, 2024-01-05 .. 2024-06-21 (13 pays),
/// rent 1,200.00 on the 1st of each month, January to June.
fn acme_history() -> Input {
    let mut t: Vec<Txn> = every(d(2024, 1, 5), 14, d(2024, 6, 30))
        .into_iter()
        .map(|x| txn(1, x, "1000.00", "ACME PAYROLL PPD ID: 123456789"))
        .collect();
    t.extend(monthly(
        1..=6,
        1,
        "-1200.00",
        "SUNSET APARTMENTS RENT PAYMENT",
    ));
    input(t, d(2024, 6, 30))
}

fn loan<'a>(r: &'a Report, company: &str) -> &'a fundline_analysis::LoanMatch {
    r.potential_loans
        .iter()
        .find(|l| l.detected_company_name == company)
        .unwrap_or_else(|| panic!("no loan from {company}"))
}

fn stream<'a>(r: &'a Report, name: &str) -> &'a fundline_analysis::IncomeStream {
    r.likely_employers
        .iter()
        .find(|s| s.employer_name == name)
        .unwrap_or_else(|| panic!("no stream {name}: {:?}", r.likely_employers))
}

#[test]
fn bi_weekly_employer_and_the_spec_ratios() {
    let r = analyze(&acme_history());
    assert_eq!(r.likely_employers.len(), 1);
    let s = stream(&r, "ACME");
    assert_eq!(s.frequency, Cadence::BiWeekly);
    assert_eq!(s.occurrence_count, 13);
    assert_eq!(s.monthly_income, dec("2166.67")); // 1000 × 26 / 12
    assert_eq!(s.typical_amount, dec("1000.00"));
    assert_eq!(s.duration, "5 month(s)");
    assert!(s.active);
    assert_eq!(s.income_category, "salary");
    assert_eq!(s.regularity, dec("1.00"));
    // 30 regularity + 20 consistency + 20 × 168/182.625 longevity + 20 active + 10 wording
    assert_eq!(s.probability, dec("98.40"));
    assert_eq!(s.transactions.len(), 13);

    // Window 2024-01-01 .. 2024-06-30: 182 days = 5.9795 months; rent 7,200.
    assert_eq!(r.first_transaction_date, Some(d(2024, 1, 1)));
    assert_eq!(r.extra.window_days, 182);
    assert_eq!(r.extra.months_covered, dec("5.98"));
    assert_eq!(r.average_income_per_month, dec("2166.67"));
    assert_eq!(r.average_annual_income, dec("26000.04"));
    assert_eq!(r.average_expenses_per_month, dec("1204.12"));
    assert_eq!(r.debt_to_income_ratio, dec("55.57"));
    assert_eq!(r.disposable_income, dec("962.55"));
    assert_eq!(r.monthly_ability_to_pay, dec("962.55"));
    assert_eq!(r.bi_weekly_ability_to_pay, dec("481.27"));
    assert_eq!(r.income_probability, dec("98.40"));
    assert!(r.extra.income_detected);
}

#[test]
fn weekly_semi_monthly_and_monthly_income() {
    let as_of = d(2024, 6, 30);
    let mut t = Vec::new();
    // Weekly Thursdays, 700.00.
    for x in every(d(2024, 1, 4), 7, as_of) {
        t.push(txn(
            1,
            x,
            "700.00",
            "GLOBEX INC DES:PAYROLL ID:55 INDN:DOE JANE CO ID:1 PPD",
        ));
    }
    // 15th and last day, moved back to Friday on weekends, 1,500.00.
    for m in 1..=6u32 {
        let last = d(2024, m, 1)
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
            .pred_opt()
            .unwrap();
        for mut x in [d(2024, m, 15), last] {
            while matches!(x.weekday(), Weekday::Sat | Weekday::Sun) {
                x = x.pred_opt().unwrap();
            }
            t.push(txn(1, x, "1500.00", "DIRECT DEP INITECH"));
        }
    }
    // Monthly on the 3rd, 4,000.00.
    t.extend(monthly(
        1..=6,
        3,
        "4000.00",
        "ORIG CO NAME:HOOLI ORIG ID:99 DESC DATE:240103 CO ENTRY DESCR:PAYROLL SEC:PPD",
    ));
    let r = analyze(&input(t, as_of));
    let g = stream(&r, "GLOBEX");
    assert_eq!(
        (g.frequency, g.monthly_income),
        (Cadence::Weekly, dec("3033.33"))
    ); // 700 × 52 / 12
    let i = stream(&r, "INITECH");
    assert_eq!(
        (i.frequency, i.monthly_income),
        (Cadence::SemiMonthly, dec("3000.00"))
    );
    let h = stream(&r, "HOOLI");
    assert_eq!(
        (h.frequency, h.monthly_income),
        (Cadence::Monthly, dec("4000.00"))
    );
    assert_eq!(r.average_income_per_month, dec("10033.33"));
    assert_eq!(r.likely_employers.len(), 3);
}

#[test]
fn irregular_gig_income_is_summed_over_the_window() {
    // Payouts every 1..9 days (a fixed pattern), 100 days, 2024-01-01 .. 2024-04-09.
    let gaps = [
        3u64, 1, 7, 2, 9, 4, 1, 6, 8, 2, 5, 3, 9, 1, 4, 7, 2, 6, 3, 5,
    ];
    let mut x = d(2024, 1, 1);
    let mut t = Vec::new();
    let mut total = Decimal::ZERO;
    for (k, g) in gaps.iter().cycle().enumerate() {
        if x > d(2024, 4, 9) {
            break;
        }
        let amount = Decimal::from(40 + (k as i64 * 37) % 200);
        total += amount;
        t.push(Txn {
            amount,
            ..txn(1, x, "0", "DOORDASH INC DES:PAYOUT ID:1234")
        });
        x = x.checked_add_days(Days::new(*g)).unwrap();
    }
    let r = analyze(&input(t, d(2024, 4, 9)));
    let s = stream(&r, "DOORDASH");
    assert_eq!(s.frequency, Cadence::Irregular);
    assert_eq!(s.income_category, "gig economy");
    // 100 days = 100 / 30.4375 months.
    let months = Decimal::from(100) / dec("30.4375");
    let want = (total / months)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(s.monthly_income, want);
}

#[test]
fn credits_that_are_not_income() {
    let as_of = d(2024, 6, 30);
    let mut t = Vec::new();
    for m in 1..=6 {
        // A person paying monthly: P2P, not an employer.
        t.push(txn(
            1,
            d(2024, m, 2),
            "500.00",
            "ZELLE PAYMENT FROM JOHN SMITH CONF# 123",
        ));
        t.push(txn(1, d(2024, m, 3), "450.00", "DEPOSIT FROM MARIA GARCIA"));
        // Own accounts: only the structure says so.
        t.push(txn(
            1,
            d(2024, m, 10),
            "-300.00",
            "TRANSFER TO ACCT ENDING 1234",
        ));
        t.push(txn(
            2,
            d(2024, m, 11),
            "300.00",
            "DEPOSIT FROM ACCT ENDING 5678",
        ));
        // Refunds and loan proceeds.
        t.push(txn(1, d(2024, m, 15), "25.00", "AMAZON.COM REFUND"));
        t.push(txn(1, d(2024, m, 20), "200.00", "EARNIN DES:CASH ADVANCE"));
        // Interest.
        t.push(txn(2, d(2024, m, 28), "0.42", "INTEREST PAYMENT"));
    }
    let i = input(t, as_of);
    let r = analyze(&i);
    assert!(r.likely_employers.is_empty(), "{:?}", r.likely_employers);
    assert_eq!(r.average_income_per_month, dec("0.00"));
    assert_eq!(r.extra.own_transfer_count, 12);
    // The transactions behind the count, for the console's list: both legs
    // of each month's transfer, newest first.
    let own = events(&i);
    assert_eq!(own.len(), 12);
    assert!(own.iter().all(|e| e.kind == EventKind::OwnTransfer));
    assert_eq!(
        (own[0].date, own[0].account, own[0].amount),
        (d(2024, 6, 11), 2, dec("300.00"))
    );
    assert_eq!(own[1].memo, "TRANSFER TO ACCT ENDING 1234");
    assert_eq!(
        r.categories[2],
        categorize("ONLINE TRANSFER", None, dec("-1"))
    );
    // Own transfers are not expenses either: only nothing is spent here.
    assert_eq!(r.average_expenses_per_month, dec("0.00"));
}

#[test]
fn zero_income_ratios_are_defined() {
    let t = txns(&[
        (3, 1, "-50.00", "KROGER #123"),
        (3, 30, "-50.00", "KROGER #123"),
    ]);
    let r = analyze(&input(t, d(2024, 3, 30)));
    assert!(!r.extra.income_detected);
    assert_eq!(r.debt_to_income_ratio, dec("0.00"));
    assert_eq!(r.extra.debt_service_ratio, None);
    assert_eq!(r.income_probability, dec("0.00"));
    // 100 spent over 30 days: less than a month (30.4375 days), so the
    // total seen, not extrapolated to a month.
    assert_eq!(r.average_expenses_per_month, dec("100.00"));
    assert_eq!(r.disposable_income, dec("-100.00"));
    assert_eq!(r.bi_weekly_ability_to_pay, dec("-50.00"));
    assert!(r.data_quality.per_month_not_extrapolated);
    assert!(r.data_quality.warnings.contains(&"under_one_month"));
}

#[test]
fn empty_and_tiny_histories() {
    let r = analyze(&input(vec![], d(2024, 1, 1)));
    assert_eq!(r.score, 300);
    assert_eq!(r.first_transaction_date, None);
    assert!(r.categories.is_empty() && r.likely_employers.is_empty());
    assert_eq!(r.average_daily_balance, dec("0.00"));

    let one = vec![txn(1, d(2024, 1, 1), "10.00", "X")];
    let r = analyze(&input(one, d(2024, 1, 1)));
    assert_eq!(r.categories.len(), 1);
    assert_eq!(r.extra.window_days, 1);

    // Everything after the report's end date: categorised, nothing else.
    let late = vec![txn(1, d(2025, 1, 1), "-10.00", "NETFLIX.COM")];
    let r = analyze(&input(late, d(2024, 1, 1)));
    assert_eq!(r.categories[0].category, "Entertainment");
    assert_eq!(r.average_expenses_per_month, dec("0.00"));
}

#[test]
fn inactive_stream_is_listed_but_not_counted() {
    let mut t: Vec<Txn> = every(d(2024, 1, 5), 14, d(2024, 3, 29))
        .into_iter()
        .map(|x| txn(1, x, "1000.00", "ACME PAYROLL"))
        .collect();
    t.push(txn(1, d(2024, 6, 28), "-5.00", "STARBUCKS"));
    let r = analyze(&input(t, d(2024, 6, 30)));
    let s = stream(&r, "ACME");
    assert!(!s.active); // 93 days since the last pay > 21
    assert_eq!(r.average_income_per_month, dec("0.00"));
    assert_eq!(r.extra.historical_income_per_month, dec("1196.98")); // 7000 / (178 / 30.4375)
}

#[test]
fn bonus_does_not_hide_a_monthly_schedule() {
    let mut t: Vec<Txn> = (1..=4)
        .map(|m| txn(1, d(2024, m, 10), "4000.00", "UMBRELLA CORP PAYROLL"))
        .collect();
    t.push(txn(1, d(2024, 3, 25), "12000.00", "UMBRELLA CORP PAYROLL"));
    let r = analyze(&input(t, d(2024, 4, 20)));
    let s = stream(&r, "UMBRELLA");
    assert_eq!(s.frequency, Cadence::Monthly);
    assert_eq!(s.occurrence_count, 5);
    assert_eq!(s.monthly_income, dec("4000.00")); // the bonus is trimmed (IQR)
}

#[test]
fn balances_from_a_closing_balance() {
    let t = txns(&[(1, 1, "500.00", "DEPOSIT"), (1, 5, "-200.00", "KROGER")]);
    let mut i = input(t, d(2024, 1, 10));
    i.accounts = vec![AccountInput {
        id: 1,
        account_type: Some("CHECKING".into()),
        current_balance: Some(dec("1000.00")),
        available_balance: Some(dec("950.00")),
        ..AccountInput::default()
    }];
    let r = analyze(&i);
    // EOD: 1,200 on Jan 1–4, 1,000 on Jan 5–10.
    assert_eq!(r.average_daily_balance, dec("1080.00"));
    assert_eq!(r.current_balance, dec("1000.00"));
    assert_eq!(r.available_balance, dec("950.00"));
    assert_eq!(r.extra.minimum_balance, dec("1000.00"));
    assert_eq!(r.extra.p10_balance, dec("1000.00"));
    assert_eq!(r.extra.p90_balance, dec("1200.00"));
    assert_eq!(r.extra.negative_balance_days, 0);
    assert_eq!(r.extra.balance_anchor, "closing");

    // The same with a closing balance of −50: EOD 150 then −50 for 6 days.
    i.accounts[0].current_balance = Some(dec("-50.00"));
    let r = analyze(&i);
    assert_eq!(r.extra.negative_balance_days, 6);
    assert_eq!(r.extra.minimum_balance, dec("-50.00"));
    assert_eq!(r.average_daily_balance, dec("30.00"));

    // The days behind those measures, as the console's chart draws them.
    let days = daily_balances(&i);
    assert_eq!(days.len(), 10);
    assert_eq!(
        (days[0].date, days[9].date),
        (d(2024, 1, 1), d(2024, 1, 10))
    );
    assert_eq!(days[3].balance, dec("150.00"));
    assert!(!days[3].negative);
    assert_eq!(days[4].balance, dec("-50.00"));
    assert!(days[4..]
        .iter()
        .all(|x| x.negative && x.balance == dec("-50.00")));
    assert_eq!(days.iter().filter(|x| x.negative).count(), 6);
}

#[test]
fn balances_from_an_opening_balance_and_liabilities_left_out() {
    let t = vec![
        txn(1, d(2024, 1, 1), "-100.00", "KROGER"),
        txn(9, d(2024, 1, 2), "-999.00", "BEST BUY"),
    ];
    let mut i = input(t, d(2024, 1, 4));
    i.accounts = vec![
        AccountInput {
            id: 1,
            opening_balance: Some(dec("250.00")),
            ..AccountInput::default()
        },
        AccountInput {
            id: 9,
            account_type: Some("CREDITLINE".into()),
            current_balance: Some(dec("-999.00")),
            ..AccountInput::default()
        },
    ];
    let r = analyze(&i);
    assert_eq!(r.average_daily_balance, dec("150.00"));
    assert_eq!(r.current_balance, dec("150.00"));
    assert_eq!(r.extra.balance_anchor, "opening");
    // The card purchase is still an expense.
    assert_eq!(r.monthly_expenditures.len(), 2);
}

#[test]
fn nsf_and_overdraft_counts_net_of_reversals() {
    let t = vec![
        txn(1, d(2024, 1, 5), "-35.00", "OVERDRAFT ITEM FEE"),
        txn(1, d(2024, 2, 15), "-35.00", "OVERDRAFT ITEM FEE"),
        txn(1, d(2024, 3, 10), "-35.00", "OD FEE"),
        txn(1, d(2024, 3, 25), "-35.00", "OVERDRAFT ITEM FEE"),
        txn(1, d(2024, 3, 26), "35.00", "OD FEE REFUND"),
        txn(1, d(2024, 3, 28), "-34.00", "NSF FEE RETURNED ITEM"),
        Txn {
            kind: Some("R01".into()),
            ..txn(1, d(2024, 3, 29), "-25.00", "RETURN SETTLE")
        },
    ];
    let i = input(t, d(2024, 3, 31));
    let r = analyze(&i);
    let e = &r.extra;
    assert_eq!(
        (
            e.overdraft_count_30,
            e.overdraft_count_60,
            e.overdraft_count_90
        ),
        (1, 2, 3)
    );
    assert_eq!((e.nsf_count_30, e.nsf_count_60, e.nsf_count_90), (2, 2, 2));
    // The fees behind the counts, newest first: four overdraft fees less
    // one refund make the 90 days' three.
    let kinds: Vec<EventKind> = events(&i).iter().map(|e| e.kind).collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        [
            NsfFee,
            NsfFee,
            FeeReversal,
            OverdraftFee,
            OverdraftFee,
            OverdraftFee,
            OverdraftFee
        ]
    );
    // The console's one pass gives the same as the two calls.
    assert_eq!(
        daily_balances_and_events(&i),
        (daily_balances(&i), events(&i))
    );
}

#[test]
fn loan_disbursement_with_repayments() {
    let lent = "Credit Union of Richmond INC DES:LOAN DISBURSEMENT";
    let mut t = vec![txn(1, d(2024, 3, 1), "300.00", lent)];
    let repaid = "Credit Union of Richmond INC DES:LOAN REPAYMENT";
    for (m, day) in [(3, 31), (4, 30), (5, 31)] {
        t.push(txn(1, d(2024, m, day), "-100.00", repaid));
    }
    let r = analyze(&input(t, d(2024, 6, 15)));
    assert_eq!(r.potential_loans.len(), 1);
    let l = &r.potential_loans[0];
    assert_eq!(l.detected_company_name, "Credit Union Of Richmond");
    assert_eq!(l.credit, Some(0));
    assert_eq!(l.debits, [1, 2, 3]);
    assert_eq!(l.repayment_frequency, Cadence::Monthly);
    assert_eq!(l.payment_amount, dec("100.00"));
    assert_eq!(l.principal, Some(dec("300.00")));
    // 0.5 matched + 0.2 regular + 0.1 constant + 0.1 size + 0.1 wording
    assert_eq!(l.confidence, dec("1.00"));
    assert!(r.likely_employers.is_empty());
    assert_eq!(r.categories[0].sub_category, "Loan Proceeds");
    assert_eq!(r.categories[3].sub_category, "Loan Payment");
}

#[test]
fn merchant_cash_advance_and_stacking() {
    let mut t = vec![txn(
        1,
        d(2024, 2, 1),
        "20000.00",
        "PEARL CAPITAL DES:FUNDING ID:1",
    )];
    for x in every(d(2024, 2, 2), 1, d(2024, 4, 30)) {
        if !matches!(x.weekday(), Weekday::Sat | Weekday::Sun) {
            t.push(txn(1, x, "-225.00", "PEARL CAPITAL DES:ACH DEBIT ID:2"));
        }
    }
    // A second lender repaid monthly at the same time, disbursed before the window.
    t.extend(monthly(
        2..=4,
        15,
        "-410.00",
        "ONEMAIN FINANCIAL DES:LOAN PMT",
    ));
    let r = analyze(&input(t, d(2024, 4, 30)));
    let mca = loan(&r, "Pearl Capital");
    assert_eq!(mca.repayment_frequency, Cadence::Daily);
    assert_eq!(mca.credit, Some(0));
    let other = loan(&r, "Onemain Financial");
    assert_eq!(other.credit, None);
    // 0.4 named repayment stream + 0.2 regular + 0.1 constant
    assert_eq!(other.confidence, dec("0.70"));
    assert_eq!(r.extra.max_concurrent_loans, 2);
    assert!(r.extra.loan_stacking);
}

#[test]
fn monthly_expenditures_and_monthly_expense() {
    let t = txns(&[
        (1, 20, "-30.00", "KROGER"),
        (2, 3, "-40.00", "KROGER"),
        (2, 9, "-60.00", "SAFEWAY"),
        (2, 14, "-300.00", "DISCOVER CARD DES:PAYMENT"),
        (3, 2, "-15.99", "NETFLIX.COM"),
    ]);
    let r = analyze(&input(t, d(2024, 3, 10)));
    let feb: Vec<_> = r
        .monthly_expenditures
        .iter()
        .filter(|m| m.month == (2024, 2))
        .collect();
    assert_eq!(feb.len(), 2);
    assert_eq!(feb[0].category, "Transfers & Adjustments");
    assert_eq!(feb[0].total_spent, dec("300.00"));
    assert_eq!(feb[1].category, "Food & Dining");
    assert_eq!(feb[1].total_spent, dec("100.00"));
    assert_eq!(feb[1].date_paid, d(2024, 2, 9));
    assert_eq!(feb[1].memo, "SAFEWAY");
    assert_eq!(feb[1].count, 2);
    // February is the last whole month inside 2024-01-20 .. 2024-03-10.
    assert_eq!(r.monthly_expense, dec("400.00"));
}

#[test]
fn debt_service_and_residual_income() {
    let mut i = acme_history();
    let card = monthly(1..=6, 20, "-300.00", "DISCOVER CARD DES:PAYMENT");
    i.transactions.extend(card);
    let r = analyze(&i);
    // 1,800 over 5.9795 months = 301.03; ÷ 2,166.67 = 13.89%.
    assert_eq!(r.extra.debt_service_per_month, dec("301.03"));
    assert_eq!(r.extra.debt_service_ratio, Some(dec("13.89")));
    // Essential: rent 7,200 + card 1,800 = 9,000 / 5.9795 = 1,505.15.
    assert_eq!(r.extra.essential_spend_per_month, dec("1505.15"));
    assert_eq!(r.extra.residual_income, dec("661.52"));
}

#[test]
fn score_is_in_range_and_explained() {
    let r = analyze(&acme_history());
    assert!((300..=850).contains(&r.score));
    let weights: Decimal = r.extra.score_components.iter().map(|c| c.weight).sum();
    assert_eq!(weights, dec("1.00"));
    let total: Decimal = r
        .extra
        .score_components
        .iter()
        .map(|c| c.weight * c.value)
        .sum();
    let expected = 300
        + (Decimal::from(550) * total)
            .round()
            .to_string()
            .parse::<i32>()
            .unwrap();
    assert!((r.score - expected).abs() <= 1, "{} vs {expected}", r.score);
}

#[test]
fn order_of_the_input_does_not_matter() {
    let a = analyze(&acme_history());
    let mut rev = acme_history();
    rev.transactions.reverse();
    let b = analyze(&rev);
    assert_eq!(a.score, b.score);
    assert_eq!(a.average_income_per_month, b.average_income_per_month);
    assert_eq!(a.average_expenses_per_month, b.average_expenses_per_month);
    assert_eq!(a.likely_employers.len(), b.likely_employers.len());
    assert_eq!(
        a.likely_employers[0].frequency,
        b.likely_employers[0].frequency
    );
}

#[test]
fn report_serialises_with_the_spec_strings() {
    let r = analyze(&acme_history());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["likely_employers"][0]["frequency"], "Bi-Weekly");
    assert_eq!(json["likely_employers"][0]["duration"], "5 month(s)");
    assert_eq!(json["first_transaction_date"], "2024-01-01");
    assert_eq!(json["categories"].as_array().unwrap().len(), 19);
}
