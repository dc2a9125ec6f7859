//! The official SDK's flag spellings (`fatoora -csr -csrConfig f -pem`), rewritten to qayd's
//! subcommands before parsing, so scripts written for the SDK keep working:
//!
//! | SDK | qayd |
//! |---|---|
//! | `-csr -csrConfig F [-privateKey K] [-generatedCsr C] [-pem] [-nonprod\|-sim]` | `csr --config F [--key-out K] [--csr-out C] [--pem] --env core\|developer-portal\|simulation` |
//! | `-invoice F -invoiceRequest [-apiRequest O]` | `invoice-request F [--out O]` |
//! | `-invoice F -generateHash` | `hash F` |
//! | `-invoice F -qr` | `qr F` |
//! | `-invoice F -validate` | `validate F` |
//! | `-invoice F -sign [-signedInvoice O]` (+ `--cert C --key K`) | `sign F [--out O] --cert C --key K` |
//! | `-help` | `--help` |
//!
//! Without `-nonprod` or `-sim` the SDK makes a CSR for production, so `-csr` maps to `--env core`.
//! Other arguments (`--json`, `--cert`, …) pass through unchanged.

const COMMANDS: [(&str, &str); 6] = [
    ("-csr", "csr"),
    ("-invoiceRequest", "invoice-request"),
    ("-generateHash", "hash"),
    ("-qr", "qr"),
    ("-validate", "validate"),
    ("-sign", "sign"),
];

/// Rewrites SDK-style arguments (the program name first); other argument lists are returned as
/// they are.
pub(crate) fn translate(args: Vec<String>) -> Vec<String> {
    let Some(command) = args.iter().skip(1).find_map(|a| COMMANDS.iter().find(|(sdk, _)| sdk == a)) else {
        if args.len() == 2 && args[1] == "-help" {
            return vec![args[0].clone(), "--help".into()];
        }
        return args;
    };
    let mut out = vec![args[0].clone(), command.1.to_owned()];
    let mut rest = Vec::new();
    let mut env = None;
    let mut iter = args.into_iter().skip(1);
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            a if COMMANDS.iter().any(|(sdk, _)| *sdk == a) => {}
            "-invoice" => out.extend(iter.next()),
            "-csrConfig" => rest.extend(["--config".to_owned()].into_iter().chain(iter.next())),
            "-privateKey" => rest.extend(["--key-out".to_owned()].into_iter().chain(iter.next())),
            "-generatedCsr" => rest.extend(["--csr-out".to_owned()].into_iter().chain(iter.next())),
            "-apiRequest" | "-signedInvoice" => {
                rest.extend(["--out".to_owned()].into_iter().chain(iter.next()))
            }
            "-pem" => rest.push("--pem".into()),
            "-nonprod" => env = Some("developer-portal"),
            "-sim" => env = Some("simulation"),
            "-help" => rest.push("--help".into()),
            _ => rest.push(arg),
        }
    }
    if command.1 == "csr" {
        rest.extend(["--env".to_owned(), env.unwrap_or("core").to_owned()]);
    }
    out.extend(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::translate;

    fn t(line: &str) -> String {
        translate(line.split(' ').map(str::to_owned).collect()).join(" ")
    }

    #[test]
    fn sdk_spellings() {
        assert_eq!(
            t("qayd -csr -csrConfig c.properties -pem"),
            "qayd csr --config c.properties --pem --env core"
        );
        assert_eq!(
            t("qayd -csr -sim -csrConfig c -privateKey k -generatedCsr r"),
            "qayd csr --config c --key-out k --csr-out r --env simulation"
        );
        assert_eq!(
            t("qayd -invoice f.xml -invoiceRequest -apiRequest o.json"),
            "qayd invoice-request f.xml --out o.json"
        );
        assert_eq!(t("qayd -generateHash -invoice f.xml"), "qayd hash f.xml");
        assert_eq!(t("qayd --json -validate -invoice f.xml"), "qayd validate f.xml --json");
        assert_eq!(t("qayd hash f.xml"), "qayd hash f.xml");
        assert_eq!(t("qayd -help"), "qayd --help");
    }
}
