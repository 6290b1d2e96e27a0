//! Deterministic synthetic bank histories with known truth.
//!
//! A seeded `StdRng` drives everything, so a seed always gives the same
//! history. A history has a checking account (and maybe savings and a
//! credit card) and, depending on the draw:
//!
//! * 1–3 employers, each weekly, bi-weekly, semi-monthly (1st/15th,
//!   15th/last or 5th/20th, moved back to Friday on weekends) or monthly
//!   (a day of month or the last business day), salaried or hourly;
//! * gig payouts at random intervals (1–9 days), social security on a
//!   Wednesday schedule;
//! * P2P transfers from and to people (one may be a regular monthly payer),
//!   transfers between own accounts (some recognisable only by structure),
//!   refunds, interest;
//! * installment loans (disbursement + monthly repayments, or repayments of
//!   a loan disbursed before the window) and merchant cash advances
//!   (repaid every business day);
//! * NSF and overdraft fees, the occasional fee reversal;
//! * everyday spending at realistic merchants with realistic memos, and the
//!   monthly bills (rent, utilities, phone, subscriptions, card payment).
//!
//! With `noise` on, memos vary between layouts, amounts jitter, pay dates
//! move for holidays, pay is missed, split between accounts, and topped up
//! by bonuses. `Truth` lists the income sources with their cadence
//! (gig income as `Irregular`).

use crate::{AccountInput, Cadence, Input, Txn};
use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

/// An income source the generator put in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct TrueEmployer {
    /// Canonical name; the engine should report `counterparty_key(name)`.
    pub name: String,
    pub cadence: Cadence,
    /// Typical amount of one payment.
    pub amount: Decimal,
    /// Still paying at the end of the history.
    pub active: bool,
}

/// A loan the generator put in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct TrueLoan {
    pub lender: String,
    /// Merchant cash advance (daily repayments).
    pub mca: bool,
    /// The disbursement is inside the history.
    pub disbursed_in_window: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    pub employers: Vec<TrueEmployer>,
    pub loans: Vec<TrueLoan>,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Length of the history in months (≥ 1).
    pub months: u32,
    /// Mean number of everyday purchases per day.
    pub spend_per_day: u32,
    /// Number of employers (0–3); `None` draws 1–3.
    pub employers: Option<u32>,
    /// Memo variations, amount jitter, holidays, missed and split pay, bonuses.
    pub noise: bool,
    /// Gig, benefits, P2P, own transfers, refunds, loans, fees, interest.
    pub extras: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            months: 12,
            spend_per_day: 3,
            employers: None,
            noise: true,
            extras: true,
        }
    }
}

/// A history from a seed, with a drawn length (3–18 months) and all features.
pub fn generate(seed: u64) -> (Input, Truth) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x005e_ed0f_f00d);
    let cfg = Config {
        months: rng.gen_range(3..=18),
        spend_per_day: rng.gen_range(1..=5),
        ..Config::default()
    };
    generate_with(&cfg, seed)
}

/// A history following `cfg`.
pub fn generate_with(cfg: &Config, seed: u64) -> (Input, Truth) {
    let mut g = Gen::new(cfg, seed);
    g.run();
    g.finish()
}

/// A history of about `transactions` transactions over two years (for
/// performance measurements): the usual income and bills plus as much
/// everyday spending as needed.
pub fn sized(seed: u64, transactions: usize) -> Input {
    let days = 730;
    let cfg = Config {
        months: 24,
        spend_per_day: (transactions / days).max(1) as u32,
        employers: Some(2),
        noise: true,
        extras: true,
    };
    let (mut input, _) = generate_with(&cfg, seed);
    input.transactions.truncate(transactions.max(1));
    input
}

const CHECKING: u32 = 1;
const SAVINGS: u32 = 2;
const CARD: u32 = 3;

const EMPLOYERS: &[&str] = &[
    "ACME CORP",
    "TASTY BITES LLC",
    "GLOBEX INC",
    "INITECH",
    "NORTHWIND TRADERS",
    "CONTOSO LTD",
    "UMBRELLA CORP",
    "STARK INDUSTRIES",
    "WAYNE ENTERPRISES",
    "HOOLI INC",
    "VANDELAY INDUSTRIES",
    "PIED PIPER INC",
    "DUNDER MIFFLIN",
    "SOYLENT CORP",
    "CYBERDYNE SYSTEMS",
    "MASSIVE DYNAMIC",
    "CITY OF SPRINGFIELD",
    "COUNTY OF ORANGE",
    "STATE OF OHIO",
    "METRO GENERAL HOSPITAL",
    "RIVERSIDE SCHOOL DISTRICT",
    "BLUE RIDGE FOODS",
    "SUNSHINE STAFFING",
    "PINNACLE LOGISTICS",
    "EVERGREEN HEALTH",
    "LAKESIDE MANUFACTURING",
    "SUMMIT CONSTRUCTION",
    "GREENLEAF MARKET",
    "ORION TECHNOLOGIES",
    "AMAZON.COM SERVICES",
    "HOME DEPOT USA",
    "TARGET CORP",
    "WALMART ASSOCIATES",
    "KROGER CO",
    "STARBUCKS CORP",
    "SUMMIT FINANCIAL GROUP",
    "FEDEX GROUND",
    "UNITED PARCEL SERVICE",
    "MARRIOTT INTERNATIONAL",
    "WELLS FARGO BANK",
];

const GIG: &[&str] = &["UBER", "LYFT", "DOORDASH", "INSTACART", "GRUBHUB", "SHIPT"];

const LENDERS: &[&str] = &[
    "CREDIT UNION OF RICHMOND INC",
    "ONEMAIN FINANCIAL",
    "UPSTART NETWORK",
    "LENDINGCLUB BANK",
    "AVANT LLC",
    "BEST EGG",
    "SOFI LENDING CORP",
    "MARINER FINANCE",
];

const FUNDERS: &[&str] = &[
    "PEARL CAPITAL",
    "LIBERTAS FUNDING",
    "YELLOWSTONE CAPITAL",
    "RAPID FINANCE",
    "KAPITUS",
];

const FIRST: &[&str] = &[
    "JOHN", "MARIA", "JAMES", "LINDA", "ROBERT", "SARAH", "DAVID", "KAREN", "CARLOS", "EMILY",
    "KEVIN", "ASHLEY", "BRIAN", "NICOLE", "JASON", "LAURA",
];
const LAST: &[&str] = &[
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "LEE",
    "WALKER",
    "HALL",
    "YOUNG",
];

const CITIES: &[(&str, &str)] = &[
    ("SEATTLE", "WA"),
    ("HOUSTON", "TX"),
    ("SAN JOSE", "CA"),
    ("AUSTIN", "TX"),
    ("DENVER", "CO"),
    ("COLUMBUS", "OH"),
    ("MIAMI", "FL"),
    ("ATLANTA", "GA"),
    ("PHOENIX", "AZ"),
    ("CHICAGO", "IL"),
];

/// Everyday merchants with a spend range in dollars.
const MERCHANTS: &[(&str, u32, u32)] = &[
    ("STARBUCKS", 4, 14),
    ("MCDONALD'S", 5, 22),
    ("CHIPOTLE", 9, 30),
    ("WALMART SUPERCENTER", 12, 180),
    ("TARGET", 10, 150),
    ("KROGER", 15, 190),
    ("SAFEWAY", 15, 160),
    ("WHOLE FOODS", 20, 140),
    ("SHELL OIL", 25, 75),
    ("CHEVRON", 25, 80),
    ("AMAZON MKTPL", 8, 120),
    ("CVS PHARMACY", 5, 60),
    ("WALGREENS", 5, 55),
    ("HOME DEPOT", 15, 260),
    ("UBER TRIP", 8, 45),
    ("LYFT RIDE", 8, 40),
    ("DOORDASH DASHPASS", 15, 60),
    ("BEST BUY", 20, 400),
    ("DOLLAR GENERAL", 3, 40),
    ("PANERA BREAD", 8, 25),
    ("SUBWAY", 6, 18),
    ("7-ELEVEN", 3, 25),
    ("BLUE BOTTLE COFFEE", 4, 12),
    ("JOES DINER", 12, 45),
    ("PLANET FITNESS", 10, 25),
];

fn add(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(days)).unwrap_or(d)
}

fn last_day(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MIN)
}

fn day_of(y: i32, m: u32, day: u32) -> NaiveDate {
    let last = last_day(y, m);
    NaiveDate::from_ymd_opt(y, m, day.min(last.day())).unwrap_or(last)
}

/// The first of each month, from `from`'s month while not after `until`.
fn month_starts(from: NaiveDate, until: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    std::iter::successors(Some(first), |m| m.checked_add_months(Months::new(1)))
        .take_while(move |m| *m <= until)
}

/// Moved back to the Friday before when on a weekend.
fn business_day_back(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => add(d, -1),
        Weekday::Sun => add(d, -2),
        _ => d,
    }
}

fn cents(rng: &mut StdRng, lo: u32, hi: u32) -> Decimal {
    let lo = i64::from(lo) * 100;
    let hi = (i64::from(hi) * 100).max(lo + 1);
    Decimal::new(rng.gen_range(lo..hi), 2)
}

struct Gen<'a> {
    cfg: &'a Config,
    rng: StdRng,
    start: NaiveDate,
    end: NaiveDate,
    savings: bool,
    card: bool,
    txns: Vec<Txn>,
    truth: Truth,
}

impl<'a> Gen<'a> {
    fn new(cfg: &'a Config, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let base = NaiveDate::from_ymd_opt(2023, 3, 1).unwrap_or(NaiveDate::MIN);
        let end = add(base, rng.gen_range(0..900));
        let start = add(
            end.checked_sub_months(Months::new(cfg.months.max(1)))
                .unwrap_or(end),
            1,
        );
        let savings = rng.gen_bool(0.6);
        let card = rng.gen_bool(0.2);
        Gen {
            cfg,
            rng,
            start,
            end,
            savings,
            card,
            txns: Vec::new(),
            truth: Truth::default(),
        }
    }

    fn push(&mut self, account: u32, date: NaiveDate, amount: Decimal, memo: String) {
        if date < self.start || date > self.end || amount.is_zero() {
            return;
        }
        self.txns.push(Txn {
            account,
            date,
            amount,
            memo,
            payee: None,
            kind: None,
        });
    }

    fn reference(&mut self, digits: u32) -> String {
        (0..digits)
            .map(|_| char::from(b'0' + self.rng.gen_range(0..10u8)))
            .collect()
    }

    fn run(&mut self) {
        let n_employers = match self.cfg.employers {
            Some(n) => n.min(3),
            None => {
                let x: f64 = self.rng.gen();
                if x < 0.6 {
                    1
                } else if x < 0.9 {
                    2
                } else {
                    3
                }
            }
        };
        let mut names: Vec<&str> = EMPLOYERS.to_vec();
        names.shuffle(&mut self.rng);
        for name in names.into_iter().take(n_employers as usize) {
            self.employer(name);
        }
        if self.cfg.extras {
            if self.rng.gen_bool(0.25) {
                self.gig();
            }
            if self.rng.gen_bool(0.10) {
                self.social_security();
            }
            self.p2p();
            if self.savings {
                self.own_transfers();
                self.interest();
            }
            self.refunds();
            if self.rng.gen_bool(0.30) {
                self.installment_loan();
            }
            if self.rng.gen_bool(0.10) {
                self.merchant_cash_advance();
            }
            if self.rng.gen_bool(0.20) {
                self.fees();
            }
        }
        self.bills();
        self.spending();
    }

    fn finish(mut self) -> (Input, Truth) {
        // Statements list transactions in no guaranteed order.
        self.txns.shuffle(&mut self.rng);
        let mut accounts = vec![AccountInput {
            id: CHECKING,
            account_type: Some("CHECKING".into()),
            current_balance: Some(cents(&mut self.rng, 200, 8000)),
            current_balance_date: Some(self.end),
            ..Default::default()
        }];
        if self.savings {
            accounts.push(AccountInput {
                id: SAVINGS,
                account_type: Some("SAVINGS".into()),
                opening_balance: Some(cents(&mut self.rng, 500, 20000)),
                ..Default::default()
            });
        }
        if self.card {
            accounts.push(AccountInput {
                id: CARD,
                account_type: Some("CREDITLINE".into()),
                current_balance: Some(-cents(&mut self.rng, 0, 3000)),
                current_balance_date: Some(self.end),
                ..Default::default()
            });
        }
        (
            Input {
                accounts,
                transactions: self.txns,
                as_of: self.end,
                ..Default::default()
            },
            self.truth,
        )
    }

    /// Pay dates of one employer, before holidays and misses.
    fn pay_dates(&mut self, cadence: Cadence, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        match cadence {
            Cadence::Weekly | Cadence::BiWeekly => {
                let step = if cadence == Cadence::Weekly { 7 } else { 14 };
                let weekday = *[
                    Weekday::Fri,
                    Weekday::Fri,
                    Weekday::Fri,
                    Weekday::Thu,
                    Weekday::Wed,
                    Weekday::Mon,
                ]
                .choose(&mut self.rng)
                .unwrap_or(&Weekday::Fri);
                let mut d = add(from, self.rng.gen_range(0..step));
                while d.weekday() != weekday {
                    d = add(d, 1);
                }
                while d <= to {
                    out.push(d);
                    d = add(d, step);
                }
            }
            Cadence::SemiMonthly => {
                let x: f64 = self.rng.gen();
                let anchors: (u32, u32) = if x < 0.4 {
                    (1, 15)
                } else if x < 0.9 {
                    (15, 31)
                } else {
                    (5, 20)
                };
                // A month past `to`: a pay day early in the next month may
                // move back into the range.
                for m in month_starts(from, add(to, 31)) {
                    for a in [anchors.0, anchors.1] {
                        out.push(business_day_back(day_of(m.year(), m.month(), a)));
                    }
                }
            }
            _ => {
                let last_business = self.rng.gen_bool(0.2);
                let dom = self.rng.gen_range(1..=28);
                for m in month_starts(from, add(to, 31)) {
                    let day = if last_business {
                        last_day(m.year(), m.month())
                    } else {
                        day_of(m.year(), m.month(), dom)
                    };
                    out.push(business_day_back(day));
                }
            }
        }
        out.retain(|d| *d >= from && *d <= to);
        out
    }

    fn employer(&mut self, name: &'static str) {
        let noise = self.cfg.noise;
        let cadence = *[
            Cadence::Weekly,
            Cadence::BiWeekly,
            Cadence::SemiMonthly,
            Cadence::Monthly,
        ]
        .choose(&mut self.rng)
        .unwrap_or(&Cadence::BiWeekly);
        let (lo, hi) = match cadence {
            Cadence::Weekly => (350, 1500),
            Cadence::BiWeekly => (900, 3200),
            Cadence::SemiMonthly => (1200, 3500),
            _ => (2500, 7000),
        };
        let base = cents(&mut self.rng, lo, hi);
        let hourly = noise && self.rng.gen_bool(0.5);
        let total_days = (self.end - self.start).num_days();
        // Some jobs start late or end early, leaving enough pay to see.
        let mut from = self.start;
        let mut to = self.end;
        if self.rng.gen_bool(0.15) && total_days > 200 {
            from = add(
                self.start,
                self.rng.gen_range(total_days / 5..total_days / 2),
            );
        } else if self.rng.gen_bool(0.10) && total_days > 200 {
            to = add(self.end, -self.rng.gen_range(60..total_days / 3));
        }
        let active = to == self.end;
        let mut dates = self.pay_dates(cadence, from, to);
        if noise {
            for d in dates.iter_mut() {
                if self.rng.gen_bool(0.03) {
                    *d = business_day_back(add(*d, -1));
                }
            }
            // Missed pay: about 3%, at most one in ten, never two in a row,
            // never the first or the last.
            let allowed = dates.len() / 10;
            let mut missed = 0;
            let mut k = 1;
            while k + 1 < dates.len() && missed < allowed {
                if self.rng.gen_bool(0.03) {
                    dates.remove(k);
                    missed += 1;
                }
                k += 1;
            }
        }
        if dates.len() < 3 {
            return;
        }
        let style = self.rng.gen_range(0..STYLES);
        let alt = self.rng.gen_range(0..STYLES);
        let split = noise && self.savings && self.rng.gen_bool(0.10);
        let payee = self.rng.gen_bool(0.15);
        for &d in &dates {
            let mut amount = base;
            if hourly {
                let pct = self.rng.gen_range(-12i64..=12);
                amount = (base * Decimal::new(100 + pct, 2)).round_dp(2);
            }
            let s = if noise && self.rng.gen_bool(0.2) {
                alt
            } else {
                style
            };
            let memo = self.payroll_memo(name, s, d);
            if split {
                let part = (amount * Decimal::new(2, 1)).round_dp(2);
                self.push_payee(SAVINGS, d, part, memo.clone(), payee.then_some(name));
                amount -= part;
            }
            self.push_payee(CHECKING, d, amount, memo, payee.then_some(name));
        }
        if noise && self.rng.gen_bool(0.10) {
            let d = add(self.start, self.rng.gen_range(0..total_days.max(1)));
            if d >= from && d <= to {
                let memo = self.payroll_memo(name, style, d);
                self.push_payee(
                    CHECKING,
                    d,
                    base * Decimal::from(3),
                    memo,
                    payee.then_some(name),
                );
            }
        }
        self.truth.employers.push(TrueEmployer {
            name: name.to_string(),
            cadence,
            amount: base,
            active,
        });
    }

    fn push_payee(
        &mut self,
        account: u32,
        date: NaiveDate,
        amount: Decimal,
        memo: String,
        payee: Option<&str>,
    ) {
        let before = self.txns.len();
        self.push(account, date, amount, memo);
        if let (Some(t), Some(p)) = (self.txns.get_mut(before), payee) {
            t.payee = Some(p.to_string());
        }
    }

    fn payroll_memo(&mut self, name: &str, style: u32, d: NaiveDate) -> String {
        let ymd = format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day());
        let id = self.reference(10);
        let person = format!(
            "{} {}",
            FIRST.choose(&mut self.rng).unwrap_or(&"JOHN"),
            LAST.choose(&mut self.rng).unwrap_or(&"SMITH")
        );
        match style {
            0 => format!("{name} DES:PAYROLL ID:{} INDN:{person} CO ID:{id} PPD", self.reference(6)),
            1 => format!("{name} PAYROLL PPD ID: {id}"),
            2 => format!("DIRECT DEP {name}"),
            3 => format!("ACH CREDIT {name} PAYROLL {ymd}"),
            4 => format!(
                "ORIG CO NAME:{name} ORIG ID:{id} DESC DATE:{ymd} CO ENTRY DESCR:PAYROLL SEC:PPD TRACE#:{}",
                self.reference(15)
            ),
            5 => format!("{name} PAYROLL {ymd} XXXXX{} {person}", self.reference(4)),
            _ => format!("{name} DES:PART-TIME DEP ID:XXXXX{}", self.reference(5)),
        }
    }

    fn gig(&mut self) {
        let name = *GIG.choose(&mut self.rng).unwrap_or(&"DOORDASH");
        let mut d = add(self.start, self.rng.gen_range(0..10));
        let (mut first, mut last) = (None, None);
        while d <= self.end {
            let amount = cents(&mut self.rng, 15, 350);
            let memo = match self.rng.gen_range(0..3) {
                0 => format!("{name} INC DES:PAYOUT ID:{}", self.reference(8)),
                1 => format!("{name} PAYOUT {}", self.reference(9)),
                _ => format!("{name}, INC. DES:EDI PAYMNT ID:{}", self.reference(8)),
            };
            self.push(CHECKING, d, amount, memo);
            first.get_or_insert(d);
            last = Some(d);
            d = add(d, self.rng.gen_range(1..=9));
        }
        if let (Some(f), Some(l)) = (first, last) {
            // Irregular income needs 90 days to qualify.
            if (l - f).num_days() >= 90 {
                self.truth.employers.push(TrueEmployer {
                    name: name.to_string(),
                    cadence: Cadence::Irregular,
                    amount: Decimal::from(150),
                    active: true,
                });
            }
        }
    }

    fn social_security(&mut self) {
        // Paid on the 2nd, 3rd or 4th Wednesday by birth date.
        let nth = self.rng.gen_range(2..=4);
        let amount = cents(&mut self.rng, 900, 2400);
        let mut count = 0;
        for m in month_starts(self.start, self.end) {
            let mut d = m;
            while d.weekday() != Weekday::Wed {
                d = add(d, 1);
            }
            d = add(d, 7 * (nth - 1));
            if d >= self.start && d <= self.end {
                count += 1;
            }
            self.push(CHECKING, d, amount, "SSA TREAS 310 XXSOC SEC".to_string());
        }
        if count >= 3 {
            self.truth.employers.push(TrueEmployer {
                name: "SSA TREAS".to_string(),
                cadence: Cadence::Monthly,
                amount,
                active: true,
            });
        }
    }

    fn person(&mut self) -> String {
        format!(
            "{} {}",
            FIRST.choose(&mut self.rng).unwrap_or(&"JOHN"),
            LAST.choose(&mut self.rng).unwrap_or(&"SMITH")
        )
    }

    fn p2p(&mut self) {
        let total_days = (self.end - self.start).num_days().max(1);
        let n = self.rng.gen_range(0..(total_days / 15 + 1));
        for _ in 0..n {
            let d = add(self.start, self.rng.gen_range(0..total_days));
            let who = self.person();
            let amount = cents(&mut self.rng, 10, 300);
            let conf = self.reference(9);
            if self.rng.gen_bool(0.5) {
                self.push(
                    CHECKING,
                    d,
                    amount,
                    format!("ZELLE PAYMENT FROM {who} CONF# {conf}"),
                );
            } else {
                self.push(
                    CHECKING,
                    d,
                    -amount,
                    format!("ZELLE PAYMENT TO {who} CONF# {conf}"),
                );
            }
        }
        // A roommate paying a share of the rent every month: not income.
        if self.rng.gen_bool(0.2) {
            let who = self.person();
            let amount = cents(&mut self.rng, 400, 900);
            let dom = self.rng.gen_range(1..=5);
            for m in month_starts(self.start, self.end) {
                let d = day_of(m.year(), m.month(), dom);
                let memo = format!(
                    "Zelle payment from {who} for rent; Conf# {}",
                    self.reference(8)
                );
                self.push(CHECKING, d, amount, memo);
            }
        }
        // Venmo balance cashed out now and then, sometimes weekly.
        if self.rng.gen_bool(0.2) {
            let weekly = self.rng.gen_bool(0.5);
            let mut d = add(self.start, self.rng.gen_range(0..7));
            while d <= self.end {
                let amount = cents(&mut self.rng, 20, 200);
                let memo = format!("VENMO CASHOUT PPD ID: {}", self.reference(10));
                self.push(CHECKING, d, amount, memo);
                d = add(d, if weekly { 7 } else { self.rng.gen_range(3..20) });
            }
        }
    }

    fn own_transfers(&mut self) {
        let step = if self.rng.gen_bool(0.5) { 14 } else { 30 };
        let amount = Decimal::from(self.rng.gen_range(2..20) * 25);
        let structural_only = self.rng.gen_bool(0.4);
        let mut d = add(self.start, self.rng.gen_range(0..step));
        let acct_c = self.reference(4);
        let acct_s = self.reference(4);
        while d <= self.end {
            let lag = if self.rng.gen_bool(0.3) { 1 } else { 0 };
            if structural_only {
                self.push(
                    CHECKING,
                    d,
                    -amount,
                    format!("TRANSFER TO ACCT ENDING {acct_s}"),
                );
                self.push(
                    SAVINGS,
                    add(d, lag),
                    amount,
                    format!("DEPOSIT FROM ACCT ENDING {acct_c}"),
                );
            } else {
                self.push(
                    CHECKING,
                    d,
                    -amount,
                    format!("ONLINE TRANSFER TO SAV XXXXXX{acct_s}"),
                );
                self.push(
                    SAVINGS,
                    add(d, lag),
                    amount,
                    format!("ONLINE TRANSFER FROM CHK XXXXXX{acct_c}"),
                );
            }
            d = add(d, step);
        }
        // Now and then money goes back to checking.
        let total_days = (self.end - self.start).num_days().max(1);
        for _ in 0..self.rng.gen_range(0..4) {
            let d = add(self.start, self.rng.gen_range(0..total_days));
            let back = cents(&mut self.rng, 50, 600);
            self.push(
                SAVINGS,
                d,
                -back,
                format!("ONLINE TRANSFER TO CHK XXXXXX{acct_c}"),
            );
            self.push(
                CHECKING,
                d,
                back,
                format!("ONLINE TRANSFER FROM SAV XXXXXX{acct_s}"),
            );
        }
    }

    fn interest(&mut self) {
        for m in month_starts(self.start, self.end) {
            let d = last_day(m.year(), m.month());
            let amount = cents(&mut self.rng, 0, 5);
            self.push(SAVINGS, d, amount, "INTEREST PAYMENT".to_string());
        }
    }

    fn refunds(&mut self) {
        let total_days = (self.end - self.start).num_days().max(1);
        for _ in 0..self.rng.gen_range(0..5) {
            let d = add(self.start, self.rng.gen_range(0..total_days));
            let amount = cents(&mut self.rng, 5, 150);
            let memo = match self.rng.gen_range(0..3) {
                0 => "AMAZON.COM REFUND".to_string(),
                1 => format!("RETURN WALMART #{}", self.reference(4)),
                _ => "PURCHASE RETURN TARGET".to_string(),
            };
            self.push(CHECKING, d, amount, memo);
        }
    }

    fn installment_loan(&mut self) {
        let lender = *LENDERS.choose(&mut self.rng).unwrap_or(&"BEST EGG");
        let total_days = (self.end - self.start).num_days().max(1);
        let principal = Decimal::from(self.rng.gen_range(10..150) * 100);
        let term = self.rng.gen_range(12..48);
        let payment = (principal * Decimal::new(125, 2) / Decimal::from(term)).round_dp(2);
        let in_window = self.rng.gen_bool(0.7);
        let disbursed = if in_window {
            add(
                self.start,
                self.rng.gen_range(0..(total_days * 2 / 3).max(1)),
            )
        } else {
            add(self.start, -self.rng.gen_range(40..200))
        };
        let memo = format!("{lender} DES:LOAN DISB ID:{}", self.reference(8));
        self.push(CHECKING, disbursed, principal, memo);
        let mut d = add(disbursed, self.rng.gen_range(25..35));
        for _ in 0..term {
            let memo = format!("{lender} DES:LOAN PMT ID:{}", self.reference(8));
            self.push(CHECKING, business_day_back(d), -payment, memo);
            d = d
                .checked_add_months(Months::new(1))
                .unwrap_or(add(self.end, 1));
            if d > self.end {
                break;
            }
        }
        self.truth.loans.push(TrueLoan {
            lender: lender.to_string(),
            mca: false,
            disbursed_in_window: in_window,
        });
    }

    fn merchant_cash_advance(&mut self) {
        let funder = *FUNDERS.choose(&mut self.rng).unwrap_or(&"PEARL CAPITAL");
        let total_days = (self.end - self.start).num_days().max(1);
        let principal = Decimal::from(self.rng.gen_range(5..50) * 1000);
        let days = 120;
        let payment = (principal * Decimal::new(135, 2) / Decimal::from(days)).round_dp(2);
        let funded = add(self.start, self.rng.gen_range(0..(total_days / 2).max(1)));
        let memo = format!("{funder} DES:FUNDING ID:{}", self.reference(8));
        self.push(CHECKING, funded, principal, memo);
        let mut d = add(funded, 1);
        let mut paid = 0;
        while paid < days && d <= self.end {
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                let memo = format!("{funder} DES:ACH DEBIT ID:{}", self.reference(8));
                self.push(CHECKING, d, -payment, memo);
                paid += 1;
            }
            d = add(d, 1);
        }
        self.truth.loans.push(TrueLoan {
            lender: funder.to_string(),
            mca: true,
            disbursed_in_window: true,
        });
    }

    fn fees(&mut self) {
        let total_days = (self.end - self.start).num_days().max(1);
        for _ in 0..self.rng.gen_range(1..6) {
            let d = add(self.start, self.rng.gen_range(0..total_days));
            if self.rng.gen_bool(0.5) {
                self.push(CHECKING, d, Decimal::from(-35), "OVERDRAFT ITEM FEE".into());
            } else {
                self.push(
                    CHECKING,
                    d,
                    Decimal::from(-34),
                    "NSF FEE RETURNED ITEM".into(),
                );
            }
            if self.rng.gen_bool(0.2) {
                self.push(
                    CHECKING,
                    add(d, 2),
                    Decimal::from(35),
                    "OD FEE REFUND".into(),
                );
            }
        }
    }

    fn bills(&mut self) {
        let rent = cents(&mut self.rng, 800, 2400);
        let utility = self.rng.gen_range(60..220);
        let phone = cents(&mut self.rng, 40, 120);
        let card = cents(&mut self.rng, 100, 900);
        let insurance = cents(&mut self.rng, 80, 220);
        let landlord = *["SUNSET APARTMENTS", "OAK PROPERTY MGMT", "RENTCAFE"]
            .choose(&mut self.rng)
            .unwrap_or(&"SUNSET APARTMENTS");
        for m in month_starts(self.start, self.end) {
            let (y, mo) = (m.year(), m.month());
            self.push(
                CHECKING,
                day_of(y, mo, 1),
                -rent,
                format!("{landlord} RENT PAYMENT"),
            );
            let u = cents(&mut self.rng, utility, utility + 40);
            self.push(
                CHECKING,
                day_of(y, mo, 12),
                -u,
                "DUKE ENERGY DES:BILL PAY".into(),
            );
            self.push(
                CHECKING,
                day_of(y, mo, 18),
                -phone,
                "VERIZON WIRELESS DES:PAYMENTS".into(),
            );
            self.push(
                CHECKING,
                day_of(y, mo, 7),
                Decimal::new(-1599, 2),
                "NETFLIX.COM".into(),
            );
            self.push(
                CHECKING,
                day_of(y, mo, 22),
                -insurance,
                "GEICO DES:INS PREM".into(),
            );
            if self.card {
                self.push(
                    CHECKING,
                    day_of(y, mo, 25),
                    -card,
                    "CARD PAYMENT TO ACCT 3".into(),
                );
                self.push(CARD, day_of(y, mo, 26), card, "PAYMENT THANK YOU".into());
            } else {
                self.push(
                    CHECKING,
                    day_of(y, mo, 25),
                    -card,
                    "DISCOVER CARD DES:PAYMENT".into(),
                );
            }
        }
    }

    fn spending(&mut self) {
        let mean = self.cfg.spend_per_day.max(1);
        let mut d = self.start;
        while d <= self.end {
            let n = self.rng.gen_range(0..=2 * mean);
            for _ in 0..n {
                let &(merchant, lo, hi) = MERCHANTS.choose(&mut self.rng).unwrap_or(&MERCHANTS[0]);
                let amount = cents(&mut self.rng, lo, hi);
                let (city, st) = *CITIES.choose(&mut self.rng).unwrap_or(&CITIES[0]);
                let memo = match self.rng.gen_range(0..5) {
                    0 => format!("POS PURCHASE {merchant} #{} {city} {st}", self.reference(4)),
                    1 => format!(
                        "DEBIT CARD PURCHASE XXXX{} {merchant} {city} {st}",
                        self.reference(4)
                    ),
                    2 => format!("{merchant} {}", self.reference(6)),
                    3 => format!("SQ *{merchant}"),
                    _ => format!(
                        "CHECKCARD {:02}{:02} {merchant} {city} {st} {}",
                        d.month(),
                        d.day(),
                        self.reference(12)
                    ),
                };
                let account = if self.card && self.rng.gen_bool(0.3) {
                    CARD
                } else {
                    CHECKING
                };
                self.push(account, d, -amount, memo);
            }
            if self.rng.gen_bool(0.05) {
                let amount = Decimal::from(self.rng.gen_range(2..10) * 20);
                let memo = format!("ATM WITHDRAWAL {}", self.reference(6));
                self.push(CHECKING, d, -amount, memo);
            }
            if self.rng.gen_bool(0.01) {
                let amount = cents(&mut self.rng, 20, 400);
                self.push(CHECKING, d, amount, "MOBILE DEPOSIT".into());
            }
            d = add(d, 1);
        }
    }
}

const STYLES: u32 = 7;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        assert_eq!(generate(7), generate(7));
        assert_ne!(generate(7).0, generate(8).0);
    }

    #[test]
    fn sized_is_about_the_size_asked() {
        let input = sized(1, 10_000);
        assert!(
            input.transactions.len() >= 9_000,
            "{}",
            input.transactions.len()
        );
        assert!(input.transactions.len() <= 10_000);
    }
}
