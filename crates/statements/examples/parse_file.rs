//! Parse statement files and print the result as JSON, or the error.
//!
//! `cargo run -p fundline-statements --example parse_file -- FILE...`

fn main() {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: cannot read: {e}");
                failed = true;
                continue;
            }
        };
        match fundline_statements::parse(&bytes, Some(&path)) {
            Ok(statement) => match serde_json::to_string_pretty(&statement) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("{path}: cannot serialise: {e}"),
            },
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
