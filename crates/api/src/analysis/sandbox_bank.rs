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
    let mut h = History {
        rng: StdRng::from_seed(key),
        start: today - Duration::days(182),
        today,
        tx: Vec::new(),
    };
    // The order of these steps is the order the seed's numbers are drawn.
    h.payroll();
    h.rent_and_bills();
    h.instalment_loan();
    h.everyday_spending();
    // One overdraft fee.
    h.push(
        h.start + Duration::days(100),
        -3_500,
        "OVERDRAFT FEE",
        "FEE",
    );
    h.into_statement()
}

/// Six months of one customer's checking account, drawn from a seeded
/// generator.
struct History {
    rng: StdRng,
    start: NaiveDate,
    today: NaiveDate,
    tx: Vec<Transaction>,
}

impl History {
    fn push(&mut self, date: NaiveDate, c: i64, memo: &str, kind: &str) {
        self.tx.push(Transaction {
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
    }

    /// Pay from one employer, bi-weekly on Fridays.
    fn payroll(&mut self) {
        let employer = EMPLOYERS[self.rng.gen_range(0..EMPLOYERS.len())];
        let pay = self.rng.gen_range(110_000..260_000);
        let start = self.start;
        let mut d = start
            + Duration::days((4 - i64::from(start.weekday().num_days_from_monday())).rem_euclid(7));
        while d <= self.today {
            let amount = pay + self.rng.gen_range(-1_500..1_500);
            self.push(d, amount, employer, "DIRECTDEP");
            d += Duration::days(14);
        }
    }

    /// Rent on the first of each month, power and phone bills mid-month.
    fn rent_and_bills(&mut self) {
        let (start, today) = (self.start, self.today);
        let rent = self.rng.gen_range(90_000..160_000);
        let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
        while month <= today {
            let first = month;
            if first >= start {
                self.push(first, -rent, "ACH DEBIT OAKWOOD APARTMENTS RENT", "DEBIT");
            }
            let bill = first + Duration::days(14);
            if bill >= start && bill <= today {
                let power = -self.rng.gen_range(6_000..14_000);
                self.push(bill, power, "ACH DEBIT GEORGIA POWER CO UTILITY", "DEBIT");
                let phone = -self.rng.gen_range(4_000..9_000);
                let phone_day = bill + Duration::days(3);
                self.push(phone_day, phone, "ACH DEBIT VERIZON WIRELESS", "DEBIT");
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
    }

    /// A small instalment loan, disbursed early in the window and repaid
    /// every 30 days.
    fn instalment_loan(&mut self) {
        let loan_day = self.start + Duration::days(20);
        let principal = self.rng.gen_range(50_000..150_000);
        let lender = "CREDIT UNION OF RICHMOND DES:LOAN";
        self.push(
            loan_day,
            principal,
            &format!("{lender} DISBURSEMENT"),
            "CREDIT",
        );
        let mut r = loan_day + Duration::days(30);
        while r <= self.today {
            self.push(r, -(principal / 5), &format!("{lender} REPAYMENT"), "DEBIT");
            r += Duration::days(30);
        }
    }

    /// Everyday spending, a few times a week.
    fn everyday_spending(&mut self) {
        let mut day = self.start;
        while day <= self.today {
            if self.rng.gen_bool(0.45) {
                let shop = SHOPS[self.rng.gen_range(0..SHOPS.len())];
                let amount = -self.rng.gen_range(300..12_000);
                self.push(day, amount, shop, "POS");
            }
            day += Duration::days(1);
        }
    }

    /// The account's statement: the postings in date order, numbered, with
    /// a drawn opening balance and the closing balance they add up to.
    fn into_statement(mut self) -> Statement {
        let (start, today) = (self.start, self.today);
        self.tx.sort_by_key(|t| t.date);
        for (n, t) in self.tx.iter_mut().enumerate() {
            t.id = Some(format!("SBX{:06}", n + 1));
        }
        let opening = cents(self.rng.gen_range(50_000..400_000));
        let closing = self.tx.iter().fold(opening, |b, t| b + t.amount);
        let balance = |amount, date| {
            Some(Balance {
                amount,
                date: Some(date),
            })
        };
        Statement {
            format: Format::Ofx2,
            accounts: vec![Account {
                account_id: Some(format!("99{:08}", self.rng.gen_range(0..100_000_000u32))),
                bank_id: Some("011000015".into()),
                account_type: Some("CHECKING".into()),
                currency: Some("USD".into()),
                institution: Some("Fundline Sandbox Bank".into()),
                owner_name: None,
                start_date: Some(start),
                end_date: Some(today),
                opening_balance: balance(opening, start),
                closing_balance: balance(closing, today),
                available_balance: balance(closing, today),
                transactions: self.tx,
            }],
        }
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
