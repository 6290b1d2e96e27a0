//! The report's charts, as SVG drawn by plotters (its SVG backend only):
//! daily balance with the negative days marked, monthly income against
//! expenses, spending by category, loan payments by month.
//!
//! Every series comes from what the API has: the stored report's income
//! streams (their deposits), `monthlyExpenditures` and loans (their
//! payments); the daily balance, which the report keeps only as measures
//! (average, minimum, negative days), from the engine's own
//! `fundline_analysis::daily_balances` over the request's stored data.
//! Floats are only coordinates: every amount written as text is a
//! `Decimal`, shown as the page shows it (`report::Amount`).
//!
//! plotters writes presentation attributes (`fill=`, `font-size=`), never
//! `style="…"`, so the charts pass the page's `style-src 'nonce-…'`.

use std::collections::BTreeMap;

use fundline_analysis::DayBalance;
use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::report::Amount;

/// One chart: its heading, what it shows in words (the SVG's `<title>`,
/// read by a screen reader) and the SVG itself.
pub(super) struct Chart {
    pub(super) id: &'static str,
    pub(super) heading: &'static str,
    pub(super) summary: String,
    pub(super) svg: String,
}

/// One month's figures, "YYYY-MM".
#[derive(Default, Clone)]
pub(super) struct Month {
    pub(super) income: Decimal,
    pub(super) expenses: Decimal,
    pub(super) loan_payments: Decimal,
}

/// What the charts are drawn from.
pub(super) struct Series<'a> {
    pub(super) days: &'a [DayBalance],
    /// Every month of the window, in order.
    pub(super) months: Vec<(String, Month)>,
    /// Spending by category over the window, largest first.
    pub(super) categories: Vec<(String, Decimal)>,
    /// Loan payments by lender over the window.
    pub(super) lenders: Vec<(String, Decimal)>,
}

impl Series<'_> {
    /// The months from `start` to `end` ("YYYY-MM-DD…"), each empty.
    pub(super) fn months_between(start: &str, end: &str) -> Vec<(String, Month)> {
        let ym = |s: &str| -> Option<(i32, u32)> {
            Some((s.get(..4)?.parse().ok()?, s.get(5..7)?.parse().ok()?))
        };
        let (Some(mut at), Some(last)) = (ym(start), ym(end)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        // A window is at most ten years long (the engine's bound).
        while at <= last && out.len() < 121 {
            out.push((format!("{:04}-{:02}", at.0, at.1), Month::default()));
            at = if at.1 == 12 {
                (at.0 + 1, 1)
            } else {
                (at.0, at.1 + 1)
            };
        }
        out
    }
}

/// The four charts; `font` is the family the text is set in ("sans-serif"
/// on the page, an embedded font in the PDF).
pub(super) fn all(s: &Series, font: &str) -> Vec<Chart> {
    vec![
        balance(s.days, font),
        income_and_expenses(&s.months, font),
        categories(&s.categories, font),
        loan_payments(&s.months, &s.lenders, font),
    ]
}

const WIDTH: u32 = 760;
const HEIGHT: u32 = 300;
const BLUE_LINE: RGBColor = RGBColor(0x1f, 0x4e, 0x8c);
const NEGATIVE: RGBColor = RGBColor(0xb0, 0x00, 0x20);
const INCOME: RGBColor = RGBColor(0x2e, 0x7d, 0x32);
const EXPENSES: RGBColor = RGBColor(0xc6, 0x28, 0x28);
const GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or_default()
}

/// An axis tick as text: a whole amount, through `Decimal`.
fn tick(y: &f64) -> String {
    Decimal::from_f64_retain(*y)
        .map(|d| d.round().to_string())
        .unwrap_or_default()
}

/// A value range that includes 0 and is never empty, with some headroom.
fn range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values.fold((0f64, 0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((hi - lo) * 0.08).max(1.0);
    (if lo < 0.0 { lo - pad } else { 0.0 })..(hi + pad)
}

/// Draws with `draw` on a white SVG canvas, then gives the SVG its role,
/// its `<title>` (the summary) and a width that follows its box.
fn svg(
    id: &str,
    summary: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> String {
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|_| draw(&root))
            .and_then(|_| root.present().map_err(|e| e.to_string()))
    };
    if let Err(e) = drawn {
        // A chart that cannot be drawn is left out; its summary still says
        // what it would show.
        tracing::warn!(chart = id, error = %e, "chart not drawn");
        out.clear();
    }
    let Some(open_end) = out.find('>') else {
        return String::new();
    };
    let open = out[..open_end].replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-labelledby=\"{id}-title\" "),
        1,
    );
    format!(
        "{open}><title id=\"{id}-title\">{}</title>{}",
        text(summary),
        &out[open_end + 1..]
    )
}

/// Text for XML content, escaped by the template engine's escaper.
fn text(s: &str) -> String {
    askama::filters::escape(s, askama::filters::Html)
        .map(|safe| safe.to_string())
        .unwrap_or_default()
}

fn balance(days: &[DayBalance], font: &str) -> Chart {
    let id = "chart-balance";
    let negative = days.iter().filter(|d| d.negative).count();
    let summary = match (days.first(), days.last()) {
        (Some(first), Some(last)) => {
            let low = days.iter().min_by_key(|d| d.balance).unwrap_or(first);
            let high = days.iter().max_by_key(|d| d.balance).unwrap_or(first);
            format!(
                "Daily balance from {} to {}: {} at the start, {} at the end, lowest {} on {}, highest {} on {}; {} {} with a negative balance{}.",
                first.date,
                last.date,
                Amount(first.balance),
                Amount(last.balance),
                Amount(low.balance),
                low.date,
                Amount(high.balance),
                high.date,
                negative,
                if negative == 1 { "day" } else { "days" },
                if negative > 0 { ", marked in red" } else { "" },
            )
        }
        _ => "No daily balance: the report has no transactions.".into(),
    };
    let svg = svg(id, &summary, |root| {
        let n = days.len().max(2) as f64;
        let y = range(days.iter().map(|d| f(d.balance)));
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..(n - 1.0), y)
            .map_err(|e| e.to_string())?;
        let day = |x: &f64| {
            days.get(x.round().max(0.0) as usize)
                .map(|d| d.date.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&day)
            .y_label_formatter(&tick)
            .label_style((font, 13))
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| e.to_string())?;
        let zero = [(0.0, 0.0), (n - 1.0, 0.0)];
        chart
            .draw_series(LineSeries::new(zero, GREY.stroke_width(1)))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                days.iter()
                    .enumerate()
                    .map(|(i, d)| (i as f64, f(d.balance))),
                BLUE_LINE.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                days.iter()
                    .enumerate()
                    .filter(|(_, d)| d.negative)
                    .map(|(i, d)| Circle::new((i as f64, f(d.balance)), 3, NEGATIVE.filled())),
            )
            .map_err(|e| e.to_string())?;
        Ok(())
    });
    Chart {
        id,
        heading: "Daily balance",
        summary,
        svg,
    }
}

/// Bars of one or two series per label (months or categories).
fn bars(
    root: &DrawingArea<SVGBackend, Shift>,
    labels: &[String],
    series: &[(&str, &[Decimal], RGBColor)],
    font: &str,
) -> Result<(), String> {
    // Month names turn upright past a year's worth, to fit.
    let upright = labels.len() > 12;
    let n = labels.len().max(1);
    let y = range(series.iter().flat_map(|(_, v, _)| v.iter().map(|d| f(*d))));
    let mut chart = ChartBuilder::on(root)
        .margin(12)
        .x_label_area_size(if upright { 56 } else { 28 })
        .y_label_area_size(64)
        .build_cartesian_2d(0f64..n as f64, y)
        .map_err(|e| e.to_string())?;
    let label = |x: &f64| {
        let i = x.floor().max(0.0) as usize;
        // Labels sit at the middle of their slot.
        if (x - i as f64 - 0.5).abs() < 1e-6 {
            labels.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&label)
        .y_labels(6)
        .y_label_formatter(&tick)
        .label_style((font, 13))
        .light_line_style(WHITE);
    if upright {
        mesh.x_label_style((font, 12).into_font().transform(FontTransform::Rotate90));
    }
    mesh.draw().map_err(|e| e.to_string())?;
    let width = 0.8 / series.len().max(1) as f64;
    for (k, (name, values, color)) in series.iter().enumerate() {
        let color = *color;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                let x0 = i as f64 + 0.1 + width * k as f64;
                Rectangle::new([(x0, 0.0), (x0 + width, f(*v))], color.filled())
            }))
            .map_err(|e| e.to_string())?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .label_font((font, 13))
            .background_style(WHITE)
            .border_style(GREY)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A bar chart of `series` over `labels`, `summary` its text for those who
/// cannot see it.
fn bar_chart(
    id: &'static str,
    heading: &'static str,
    summary: String,
    labels: &[String],
    series: &[(&str, &[Decimal], RGBColor)],
    font: &str,
) -> Chart {
    let svg = svg(id, &summary, |root| bars(root, labels, series, font));
    Chart {
        id,
        heading,
        summary,
        svg,
    }
}

fn income_and_expenses(months: &[(String, Month)], font: &str) -> Chart {
    let id = "chart-income-expenses";
    let labels: Vec<String> = months.iter().map(|(m, _)| m.clone()).collect();
    let income: Vec<Decimal> = months.iter().map(|(_, m)| m.income).collect();
    let expenses: Vec<Decimal> = months.iter().map(|(_, m)| m.expenses).collect();
    let summary = if months.is_empty() {
        "No months in the report's window.".to_string()
    } else {
        let each: Vec<String> = months
            .iter()
            .map(|(m, v)| {
                format!(
                    "{m}: income {}, expenses {}",
                    Amount(v.income),
                    Amount(v.expenses)
                )
            })
            .collect();
        format!(
            "Income (green) and expenses (red) by month. {}.",
            each.join("; ")
        )
    };
    let series = [
        ("Income", income.as_slice(), INCOME),
        ("Expenses", expenses.as_slice(), EXPENSES),
    ];
    bar_chart(
        id,
        "Monthly income and expenses",
        summary,
        &labels,
        &series,
        font,
    )
}

fn categories(cats: &[(String, Decimal)], font: &str) -> Chart {
    let id = "chart-categories";
    let labels: Vec<String> = cats.iter().map(|(c, _)| c.clone()).collect();
    let totals: Vec<Decimal> = cats.iter().map(|(_, t)| *t).collect();
    let summary = if cats.is_empty() {
        "No expenses in the report's window.".to_string()
    } else {
        let each: Vec<String> = cats
            .iter()
            .map(|(c, t)| format!("{c} {}", Amount(*t)))
            .collect();
        format!(
            "Expenses by category over the window, largest first: {}.",
            each.join(", ")
        )
    };
    let series = [("Spent", totals.as_slice(), BLUE_LINE)];
    bar_chart(id, "Expenses by category", summary, &labels, &series, font)
}

fn loan_payments(months: &[(String, Month)], lenders: &[(String, Decimal)], font: &str) -> Chart {
    let id = "chart-loans";
    let labels: Vec<String> = months.iter().map(|(m, _)| m.clone()).collect();
    let paid: Vec<Decimal> = months.iter().map(|(_, m)| m.loan_payments).collect();
    let summary = if lenders.is_empty() {
        "No loan payments found in the report's window.".to_string()
    } else {
        let by_lender: Vec<String> = lenders
            .iter()
            .map(|(l, t)| format!("{l} {}", Amount(*t)))
            .collect();
        let by_month: Vec<String> = months
            .iter()
            .filter(|(_, m)| !m.loan_payments.is_zero())
            .map(|(m, v)| format!("{m} {}", Amount(v.loan_payments)))
            .collect();
        format!(
            "Loan payments by month: {}. By lender over the window: {}.",
            by_month.join(", "),
            by_lender.join(", ")
        )
    };
    let series = [("Loan payments", paid.as_slice(), EXPENSES)];
    bar_chart(id, "Loan payments", summary, &labels, &series, font)
}

/// Sums of `(key, amount)` by key, largest first (ties by key).
pub(super) fn totals(items: impl Iterator<Item = (String, Decimal)>) -> Vec<(String, Decimal)> {
    let mut by: BTreeMap<String, Decimal> = BTreeMap::new();
    for (k, v) in items {
        *by.entry(k).or_default() += v;
    }
    let mut out: Vec<_> = by.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A summary is text inside the SVG's <title>: markup in it stays text.
    #[test]
    fn a_summary_with_markup_is_escaped_in_the_title() {
        let t = text("<script>alert(1)</script> & \"x\"");
        assert!(
            !t.contains('<') && !t.contains('>') && !t.contains('"'),
            "{t}"
        );
        assert!(t.contains("alert(1)"), "{t}");
        assert_eq!(
            t.matches('&').count(),
            7,
            "each of < > < > & \" \" is an entity: {t}"
        );
    }

    fn day(d: u32, cents: i64) -> DayBalance {
        DayBalance {
            date: NaiveDate::from_ymd_opt(2026, 3, d).unwrap(),
            balance: Decimal::new(cents, 2),
            negative: cents < 0,
        }
    }

    #[test]
    fn the_balance_chart_marks_negative_days_and_says_so() {
        let days = [day(1, 10_000), day(2, -2_550), day(3, 5_000)];
        let c = balance(&days, "sans-serif");
        assert!(c
            .svg
            .starts_with("<svg role=\"img\" aria-labelledby=\"chart-balance-title\""));
        assert!(c.svg.contains("<title id=\"chart-balance-title\">"));
        assert!(
            c.summary.contains("lowest -25.50 on 2026-03-02"),
            "{}",
            c.summary
        );
        assert!(c.summary.contains("1 day with a negative balance"));
        // One red mark, for the one negative day.
        assert_eq!(c.svg.matches("<circle").count(), 1, "{}", c.svg);
        assert!(c.svg.contains("fill=\"#B00020\""), "{}", c.svg);
        assert!(
            !c.svg.contains("style="),
            "the page's CSP allows no style attribute"
        );
    }

    #[test]
    fn empty_series_still_give_a_chart_and_say_why() {
        let s = Series {
            days: &[],
            months: Vec::new(),
            categories: Vec::new(),
            lenders: Vec::new(),
        };
        let charts = all(&s, "sans-serif");
        assert_eq!(charts.len(), 4);
        for c in &charts {
            assert!(c.svg.contains("role=\"img\""), "{}", c.id);
            assert!(c.summary.starts_with("No "), "{}", c.summary);
        }
    }

    #[test]
    fn months_cover_the_window_and_totals_sort_largest_first() {
        let m = Series::months_between("2025-11-20T00:00:00", "2026-02-03T00:00:00");
        let names: Vec<&str> = m.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert!(Series::months_between("", "2026-01-01").is_empty());
        let t = totals(
            [
                ("Rent".to_string(), Decimal::new(120_000, 2)),
                ("Food".to_string(), Decimal::new(6_425, 2)),
                ("Food".to_string(), Decimal::new(6_425, 2)),
            ]
            .into_iter(),
        );
        assert_eq!(t[0], ("Rent".to_string(), Decimal::new(120_000, 2)));
        assert_eq!(t[1], ("Food".to_string(), Decimal::new(12_850, 2)));
    }

    #[test]
    fn text_in_a_summary_is_escaped() {
        let c = categories(&[("<b>&\"".to_string(), Decimal::ONE)], "sans-serif");
        assert!(c.svg.contains("&lt;b&gt;&amp;&quot;"));
        assert!(!c.svg.contains("<b>"));
    }
}
