//! The sandbox bank: a simulated institution a sandbox customer can link
//! instead of uploading files. It produces a deterministic history, seeded
//! by the report request, of about six months: a bi-weekly employer, rent,
//! utilities, card spending, a small loan and its repayments, and one
//! overdraft — enough for every part of the report to show something.

use chrono::{Datelike, Duration, NaiveDate};
use fundline_statements::{Account, Balance, Format, Statement, Transaction};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

const EMPLOYERS: [&str; 4] = [
    "TASTY BITES LLC DES:PAYROLL",
    "NORTHWIND TRADERS DES:DIR DEP",
    "CONTOSO HEALTH DES:PAYROLL PPD",
    "FABRIKAM LOGISTICS DES:SALARY",
];
const SHOPS: [&str; 6] = [
    "POS PURCHASE KROGER #1123",
    "DEBIT CARD PURCHASE SHELL OIL 5744",
    "POS PURCHASE WALMART SUPERCENTER",
    "DEBIT CARD PURCHASE NETFLIX.COM",
    "POS PURCHASE CVS PHARMACY 0412",
    "DEBIT CARD PURCHASE STARBUCKS 8812",
];

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

/// The history of the sandbox bank for `seed` (the request id), ending at `today`.
pub fn statement(seed: &str, today: NaiveDate) -> Statement {
    let digest = Sha256::digest(seed.as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(&digest);
    let mut rng = StdRng::from_seed(key);
    let start = today - Duration::days(182);
    let mut tx: Vec<Transaction> = Vec::new();
    let mut push = |date: NaiveDate, c: i64, memo: &str, kind: &str| {
        tx.push(Transaction {
            date,
            amount: cents(c),
            currency: Some("USD".into()),
            id: None,
            name: None,
            memo: memo.to_string(),
            kind: Some(kind.to_string()),
            check_number: None,
            balance: None,
        });
    };
    let employer = EMPLOYERS[rng.gen_range(0..EMPLOYERS.len())];
    let pay = rng.gen_range(110_000..260_000);
    // Bi-weekly Fridays.
    let mut d = start
        + Duration::days((4 - i64::from(start.weekday().num_days_from_monday())).rem_euclid(7));
    while d <= today {
        push(d, pay + rng.gen_range(-1_500..1_500), employer, "DIRECTDEP");
        d += Duration::days(14);
    }
    let rent = rng.gen_range(90_000..160_000);
    let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
    while month <= today {
        let first = month;
        if first >= start {
            push(first, -rent, "ACH DEBIT OAKWOOD APARTMENTS RENT", "DEBIT");
        }
        let bill = first + Duration::days(14);
        if bill >= start && bill <= today {
            push(
                bill,
                -rng.gen_range(6_000..14_000),
                "ACH DEBIT GEORGIA POWER CO UTILITY",
                "DEBIT",
            );
            push(
                bill + Duration::days(3),
                -rng.gen_range(4_000..9_000),
                "ACH DEBIT VERIZON WIRELESS",
                "DEBIT",
            );
        }
        month = if month.month() == 12 {
            NaiveDate::from_ymd_opt(month.year() + 1, 1, 1).unwrap_or(today)
        } else {
            NaiveDate::from_ymd_opt(month.year(), month.month() + 1, 1).unwrap_or(today)
        };
        if month == first {
            break;
        }
    }
    // A small instalment loan, disbursed early in the window.
    let loan_day = start + Duration::days(20);
    let principal = rng.gen_range(50_000..150_000);
    push(
        loan_day,
        principal,
        "CREDIT UNION OF RICHMOND DES:LOAN DISBURSEMENT",
        "CREDIT",
    );
    let mut r = loan_day + Duration::days(30);
    while r <= today {
        push(
            r,
            -(principal / 5),
            "CREDIT UNION OF RICHMOND DES:LOAN REPAYMENT",
            "DEBIT",
        );
        r += Duration::days(30);
    }
    // Everyday spending, a few times a week.
    let mut day = start;
    while day <= today {
        if rng.gen_bool(0.45) {
            let shop = SHOPS[rng.gen_range(0..SHOPS.len())];
            push(day, -rng.gen_range(300..12_000), shop, "POS");
        }
        day += Duration::days(1);
    }
    // One overdraft fee.
    push(start + Duration::days(100), -3_500, "OVERDRAFT FEE", "FEE");
    tx.sort_by_key(|t| t.date);
    for (n, t) in tx.iter_mut().enumerate() {
        t.id = Some(format!("SBX{:06}", n + 1));
    }
    let opening = cents(rng.gen_range(50_000..400_000));
    let closing = tx.iter().fold(opening, |b, t| b + t.amount);
    Statement {
        format: Format::Ofx2,
        accounts: vec![Account {
            account_id: Some(format!("99{:08}", rng.gen_range(0..100_000_000u32))),
            bank_id: Some("011000015".into()),
            account_type: Some("CHECKING".into()),
            currency: Some("USD".into()),
            institution: Some("Fundline Sandbox Bank".into()),
            owner_name: None,
            start_date: Some(start),
            end_date: Some(today),
            opening_balance: Some(Balance {
                amount: opening,
                date: Some(start),
            }),
            closing_balance: Some(Balance {
                amount: closing,
                date: Some(today),
            }),
            available_balance: Some(Balance {
                amount: closing,
                date: Some(today),
            }),
            transactions: tx,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_request_gets_the_same_history() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let a = statement("r-1", today);
        let b = statement("r-1", today);
        let c = statement("r-2", today);
        let sum = |s: &Statement| {
            s.accounts[0]
                .transactions
                .iter()
                .map(|t| t.amount)
                .sum::<Decimal>()
        };
        assert_eq!(sum(&a), sum(&b));
        assert_ne!(sum(&a), sum(&c));
        let payroll = a.accounts[0]
            .transactions
            .iter()
            .filter(|t| t.kind.as_deref() == Some("DIRECTDEP"))
            .count();
        assert!(
            (12..=14).contains(&payroll),
            "{payroll} pay days in six months"
        );
        assert!(a.accounts[0].transactions.iter().all(|t| t.date <= today));
    }
}
