//! CSV with a caller-supplied mapping: the first line of the input is a
//! JSON `CsvMapping` (inputs whose first line is not one are skipped), the
//! rest is the file given to `parse_csv_with`.

#![no_main]

use fundline_statements::{parse_csv_with, CsvMapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(mapping) = serde_json::from_slice::<CsvMapping>(head) else {
        return;
    };
    let _ = parse_csv_with(body, &mapping);
});
