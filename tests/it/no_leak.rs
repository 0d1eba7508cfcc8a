//! Never leak what we protect: scan a tree full of planted secrets with every output and
//! check that no value appears in anything the process printed or wrote.
use std::io::Write;

use crate::fake::Fakes;
use crate::{hygiene, write};

#[test]
fn no_secret_value_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut fakes = Fakes::new(99);
    let planted = fakes.planted();
    let mut secrets: Vec<String> = Vec::new();
    for (i, (family, line, secret)) in planted.iter().enumerate() {
        let place = ["docs/runbook.md", "reports/recon.json", "data/bot1/logs/app.log"][i % 3];
        let path = dir.path().join(place);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        writeln!(file, "2026-11-20T08:00:0{}Z ERROR {family} failed: {line}", i % 10).unwrap();
        secrets.push(secret.trim().to_string());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let gz_secret = fakes.alnum(30);
    gz.write_all(format!("Authorization: Bearer {gz_secret}\n").as_bytes()).unwrap();
    write(dir.path(), "data/bot2/logs/app.log.1.gz", gz.finish().unwrap());
    secrets.push(gz_secret);

    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for format in ["human", "json"] {
        let out = hygiene()
            .arg("scan")
            .arg(dir.path())
            .args(["--include-logs", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: leaks must fail the scan");
        outputs.push((format!("{format} stdout"), out.stdout));
        outputs.push((format!("{format} stderr"), out.stderr));
    }
    let report = std::fs::read(dir.path().join("reports/security/latest.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&report).unwrap();
    let found = parsed["findings"].as_array().unwrap().len();
    assert_eq!(found, secrets.len(), "every planted secret is found once");
    outputs.push(("report".into(), report));
    // The rules listing and an error path print nothing from the scanned files either.
    let out = hygiene().arg("scan").arg(dir.path()).args(["--rules", "/nonexistent"]).output().unwrap();
    outputs.push(("error stderr".into(), out.stderr));

    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for secret in &secrets {
            // Every line of a multi-line secret (private keys) counts on its own.
            for part in secret.lines().filter(|p| p.len() >= 8) {
                assert!(!text.contains(part), "{name} contains a planted secret");
            }
        }
    }
    // And what may be shown is shown: masks end with the secret's last 4 characters.
    let human = String::from_utf8_lossy(&outputs[0].1);
    let aws_secret = &secrets[1];
    assert!(human.contains(&format!("****{}", &aws_secret[aws_secret.len() - 4..])));
}

#[test]
fn debug_output_of_findings_and_matches_holds_no_secret() {
    use secrets_hygiene::detect::Detector;
    use secrets_hygiene::rules::RuleSet;
    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let (_, line, secret) = Fakes::new(5).planted().remove(2);
    let found = detector.find(line.as_bytes());
    assert!(!found.is_empty());
    assert!(!format!("{found:?}").contains(&secret));
}
