//! Precision: the decoys the scanner must leave alone, in realistic contexts.
use secrets_hygiene::detect::Detector;
use secrets_hygiene::rules::RuleSet;

const DECOYS: &[&str] = &[
    // Vendors' documented example values.
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    // Placeholders.
    "BITGET_API_KEY=<NEW_KEY>",
    "JWT_SECRET_KEY=${JWT_SECRET_KEY}",
    "token: {{ secrets.BOT_TOKEN }}",
    "password = %(db_password)s",
    "DB_PASSWORD=changeme",
    "OPENAI_API_KEY=your-api-key-here",
    "api_secret: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    // Already masked.
    "BITGET_SECRET_KEY=****ABCD",
    "password: [REDACTED]",
    "STRIPE_SECRET_KEY=sk_live_****1234",
    // Labelled as fake.
    "API_SECRET=Qp7Lx2Vm9Kz4Rt8Wc3Nh  # fake test vector",
    // Public material.
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7q8Zr2Kd0LmXw7PfT3uYh9sVbN4cE1gJoA6iRtWq2Lz ops@bastion",
    "public_key: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4xKq9Lm2Vz7Rp8Tw3Nc6Yb1Hd5Jf",
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUq8Zr2Kd0LmXw7PfT3uYh9sVbN4cwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    // Identifiers, digests, addresses.
    "request_id=3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b order_id=1234567890abcdef",
    "deployed commit 3f2a9c1e5b7d4e8f9a0b1c2d3e4f5a6b7c8d9e0f to prod",
    "image digest sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "withdraw to 0x52908400098527886E0F7030069857D2E4169EE7",
    "logo: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "next_cursor=eyJwYWdlIjoyLCJsaW1pdCI6NTB9",
    "secret_arn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/bitget/bot1-AbCdEf",
    // Names without values, file references, code that generates keys.
    "JWT_SECRET_KEY=",
    "Set JWT_SECRET_KEY and DATABASE_ENCRYPTION_KEY in the vault before deploying.",
    "DB_PASSWORD_FILE=/run/secrets/db_password",
    "SECRET_KEY = secrets.token_urlsafe(32)",
    "key = Fernet.generate_key()",
    // Prose and config that mention secrets.
    "Rotate the API key every 90 days; the token expires after 3600 seconds.",
    "max_tokens=4096 temperature=0.2",
    "password: required",
];

#[test]
fn decoys_are_not_findings() {
    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let mut noisy = Vec::new();
    for decoy in DECOYS {
        for m in detector.find(decoy.as_bytes()) {
            noisy.push(format!("{} <- {decoy:?}", detector.rules()[m.rule].id));
        }
    }
    assert!(noisy.is_empty(), "decoys reported:\n{}", noisy.join("\n"));
}

#[test]
fn decoy_file_scans_clean() {
    let dir = tempfile::tempdir().unwrap();
    crate::write(dir.path(), "docs/decoys.md", DECOYS.join("\n"));
    let (code, report) = crate::scan_json(dir.path(), &[]);
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["status"], "pass");
    assert_eq!(code, 0);
}
