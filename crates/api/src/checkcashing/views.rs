//! Response bodies, field names as the spec's samples spell them.

use fundline_store::checkcashing::{Card, HistoryRow};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardView {
    pub card_art_as_base64_png: String,
    pub card_id: String,
    pub card_nickname: String,
    pub card_program: String,
    pub customer_id: String,
    /// Last four digits only; a PAN is never returned.
    pub last_four_digits: String,
    pub show_terms_and_conditions: bool,
    pub terms_and_conditions_id: String,
    /// 1 debit, 2 prepaid.
    pub issuer_type: i64,
    /// MMYY.
    pub expiration_month_year: String,
    pub card_program_phone: String,
    /// Smallest load, in cents.
    pub current_card_min: i64,
    /// Largest load, in cents.
    pub current_card_max: i64,
    /// A stable, keyed fingerprint of the card number (not reversible).
    pub hash_id: String,
}

impl From<&Card> for CardView {
    fn from(c: &Card) -> Self {
        CardView {
            card_art_as_base64_png: String::new(),
            card_id: c.id.clone(),
            card_nickname: c.nickname.clone(),
            card_program: c.program_name.clone(),
            customer_id: c.customer_id.clone(),
            last_four_digits: c.last4.clone(),
            show_terms_and_conditions: c.show_terms != 0,
            terms_and_conditions_id: c.terms_id.clone(),
            issuer_type: c.issuer_type,
            expiration_month_year: c.expiration_mmyy.clone(),
            card_program_phone: c.program_phone.clone(),
            current_card_min: c.min_cents,
            current_card_max: c.max_cents,
            // The fingerprint's digits without its key version.
            hash_id: fundline_vault::fingerprint_hex(&c.number_fp)
                .chars()
                .take(32)
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CardsResponse {
    pub cards: Vec<CardView>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindCustomerResponse {
    pub customer_id: String,
}

/// EnrollCustomer answers `CustomerId` with a capital C, as the spec's sample does.
#[derive(Serialize, ToSchema)]
pub struct EnrollCustomerResponse {
    #[serde(rename = "CustomerId")]
    pub customer_id: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SsoTokenResponse {
    pub sso_token: String,
}

/// RFC 6749 §5.1 access token response; the same value is in the `sessionId` header.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionView {
    pub status_code: i64,
    pub status_message: String,
    pub state: i64,
    pub transaction_id: String,
    pub created_on: String,
    /// Cents.
    pub amount: i64,
    /// Cents.
    pub fee: i64,
    pub processing_status: i64,
    pub classification_status: i64,
    pub decline_reason_code: i64,
    pub decline_reason_message: String,
    pub pickup_location_id: i64,
    pub mobile_transaction_type_id: i64,
    pub ocr_amount: i64,
    pub user_entered_amount: i64,
    pub submitted_for_classification_on: Option<String>,
    pub finished_classification_on: Option<String>,
    pub submitted_for_approval_on: Option<String>,
    pub finished_approval_on: Option<String>,
    pub last_four_digits_of_card: String,
    pub card_nickname: String,
    pub load_status: i64,
    pub expected_load_date: Option<String>,
    pub actual_load_date: Option<String>,
    /// Cents.
    pub load_amount: i64,
    pub destination_display_name: String,
}

/// UTC, whole seconds, "Z" — the spec's sample format.
pub fn timestamp(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

impl From<&HistoryRow> for TransactionView {
    fn from(r: &HistoryRow) -> Self {
        let t = &r.tx;
        let ts = |v: Option<i64>| v.map(timestamp);
        TransactionView {
            status_code: t.status_code,
            status_message: t.status_message.clone(),
            state: t.state,
            transaction_id: t.id.clone(),
            created_on: timestamp(t.created_at),
            amount: t.amount_cents,
            fee: t.fee_cents,
            processing_status: t.processing_status,
            classification_status: t.classification_status,
            decline_reason_code: t.decline_reason_code,
            decline_reason_message: t.decline_reason_message.clone(),
            pickup_location_id: t.pickup_location_id,
            mobile_transaction_type_id: t.mobile_transaction_type_id,
            ocr_amount: t.ocr_amount_cents,
            user_entered_amount: t.user_entered_amount_cents,
            submitted_for_classification_on: ts(t.submitted_for_classification_on),
            finished_classification_on: ts(t.finished_classification_on),
            submitted_for_approval_on: ts(t.submitted_for_approval_on),
            finished_approval_on: ts(t.finished_approval_on),
            last_four_digits_of_card: r.card_last4.clone(),
            card_nickname: r.card_nickname.clone(),
            load_status: t.load_status,
            expected_load_date: ts(t.expected_load_date),
            actual_load_date: ts(t.actual_load_date),
            load_amount: t.load_amount_cents,
            destination_display_name: t.destination_display_name.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryResponse {
    pub search_results: Vec<TransactionView>,
    pub total_records: i64,
}
