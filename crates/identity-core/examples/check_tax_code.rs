//! Validates a tax code given on the command line and prints what it encodes.
//!
//! `cargo run -p identity-core --example check_tax_code -- RSSMRA85T10A562S`

use identity_core::TaxCode;
use identity_core::values::places;

fn main() {
    let Some(input) = std::env::args().nth(1) else {
        eprintln!("usage: check_tax_code CODE");
        std::process::exit(2);
    };
    match TaxCode::parse(&input) {
        Ok(TaxCode::Personal(code)) => {
            let place = code.birth_place_code();
            let name = places::municipalities_by_code(&place)
                .last()
                .map(|m| format!("{} ({})", m.name, m.province))
                .or_else(|| places::country_by_code(&place).map(|c| c.name_en.clone()))
                .unwrap_or_else(|| "unknown place".into());
            println!("{code}: personal tax code");
            println!(
                "  sex {:?}, born on day {} of month {}, year ..{:02}",
                code.sex(),
                code.birth_day(),
                code.birth_month(),
                code.birth_year_two_digits()
            );
            println!("  place of birth {place}: {name}");
            if code.is_omocode() {
                println!("  omocode of {}", code.canonical());
            }
        }
        Ok(TaxCode::Numeric(code)) => println!("{code}: tax code of a company or other body"),
        Err(e) => {
            eprintln!("{input}: {e}");
            std::process::exit(1);
        }
    }
}
