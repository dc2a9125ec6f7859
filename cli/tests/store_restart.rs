//! `qayd submit --watch` on PostgreSQL rides out a database restart: it keeps running, says the
//! store is unavailable with the database's reason, and sends again once the server is back. A
//! private server (scripts/postgres.sh in a temporary folder) is stopped and started; the test
//! runs where PostgreSQL tests run (`QAYD_TEST_POSTGRES_URL` set; `QAYD_REQUIRE_POSTGRES=1`
//! makes a missing server a failure).

mod common;

use common::{GatewayProcess, json_of, properties, qayd, repo};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VAT: &str = "300075588700003";

fn postgres_script(action: &str, dir: &Path, port: u16) -> Option<String> {
    let output = Command::new(repo().join("scripts/postgres.sh"))
        .args([action, dir.to_str().unwrap()])
        .env("QAYD_POSTGRES_PORT", port.to_string())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A server of our own, stopped on drop.
struct Server {
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        postgres_script("stop", self.dir.path(), self.port);
    }
}

#[test]
fn submit_watch_rides_out_a_database_restart() {
    if std::env::var_os("QAYD_TEST_POSTGRES_URL").is_none() {
        assert!(std::env::var_os("QAYD_REQUIRE_POSTGRES").is_none(), "QAYD_REQUIRE_POSTGRES: no server");
        eprintln!("skipped: no QAYD_TEST_POSTGRES_URL");
        return;
    }
    let port = 56000 + (std::process::id() % 1000) as u16;
    let server = Server { dir: tempfile::tempdir().unwrap(), port };
    let started = postgres_script("start", server.dir.path(), port).expect("a private PostgreSQL server");
    let url = started.trim().trim_start_matches("export QAYD_TEST_POSTGRES_URL=").to_owned();
    let port: u16 = std::fs::read_to_string(server.dir.path().join("port")).unwrap().trim().parse().unwrap();

    let gateway = GatewayProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("master.key");
    qayd().arg("master-key").arg(&key_file).assert().success();
    let cmd = || {
        let mut command = qayd();
        command.env("QAYD_STORE", &url).env("QAYD_MASTER_KEY_FILE", &key_file);
        command
    };
    let mut config =
        qayd::CsrConfig::from_properties(&std::fs::read_to_string(properties()).unwrap()).unwrap();
    config.organization_identifier = VAT.into();
    let config_file = dir.path().join("csr.json");
    std::fs::write(&config_file, serde_json::to_string(&config).unwrap()).unwrap();
    let output = cmd()
        .args(["--json", "egs", "add", "pos-1", "--otp-file", "-", "--env", &gateway.url, "--config"])
        .arg(&config_file)
        .write_stdin("123456\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let issue = |name: &str| {
        let fixture = repo().join("core/tests/fixtures/models/simplified_invoice.json");
        let mut value: Value = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
        value["uuid"] = json!(uuid::Uuid::new_v4().to_string());
        value["seller"]["vat_number"] = json!(VAT);
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        let output = cmd()
            .args(["--json", "issue", "--egs", "pos-1", "--out"])
            .arg(dir.path().join("out"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    let reported = || -> Option<u64> {
        let output = cmd().args(["--json", "queue", "status"]).output().ok()?;
        output.status.success().then(|| json_of(&output)["counts"]["reported"].as_u64()).flatten()
    };
    let wait_for = |count: u64, limit: Duration| {
        let started = Instant::now();
        while reported() != Some(count) {
            assert!(started.elapsed() < limit, "not {count} reported within {limit:?}");
            std::thread::sleep(Duration::from_millis(200));
        }
    };

    let stderr_file = dir.path().join("watch.err");
    let mut watcher = Command::new(assert_cmd::cargo::cargo_bin("qayd"))
        .args(["submit", "--watch", "--metrics", "127.0.0.1:0"])
        .env("QAYD_STORE", &url)
        .env("QAYD_MASTER_KEY_FILE", &key_file)
        .env_remove("QAYD_SETTINGS")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_file).unwrap())
        .spawn()
        .unwrap();
    issue("a.json");
    wait_for(1, Duration::from_secs(20));
    let announced = std::fs::read_to_string(&stderr_file).unwrap();
    let metrics = announced
        .split_whitespace()
        .find_map(|word| {
            word.trim_end_matches(',').strip_prefix("http://")?.strip_suffix("/metrics").map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no metrics address in {announced}"));
    assert_eq!(http_get(&metrics, "/health").0, 200);

    // The database goes down for a few seconds.
    postgres_script("stop", server.dir.path(), port).expect("stop");
    std::thread::sleep(Duration::from_secs(3));
    assert!(watcher.try_wait().unwrap().is_none(), "the watch ended with the database");
    let stderr = std::fs::read_to_string(&stderr_file).unwrap();
    assert!(stderr.contains("the store is unavailable"), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "where: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Monitoring sees the outage.
    let (status, health) = http_get(&metrics, "/health");
    assert_eq!(status, 503, "{health}");
    assert!(health.contains(&format!("127.0.0.1:{port}")), "{health}");
    assert!(http_get(&metrics, "/metrics").1.contains("qayd_store_up 0"));

    // Back on the same port: the same watch sends what is issued now.
    let restarted = postgres_script("start", server.dir.path(), port).expect("restart");
    assert!(restarted.contains(&format!(":{port}/")), "{restarted}");
    issue("b.json");
    wait_for(2, Duration::from_secs(20));
    assert!(watcher.try_wait().unwrap().is_none());
    let stderr = std::fs::read_to_string(&stderr_file).unwrap();
    assert!(stderr.contains("the store is back"), "{stderr}");
    assert!(http_get(&metrics, "/metrics").1.contains("qayd_store_up 1"));

    let pid = watcher.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let stopping = Instant::now();
    loop {
        if let Some(status) = watcher.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(stopping.elapsed() < Duration::from_secs(10), "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A plain HTTP/1.1 GET; (status code, body).
fn http_get(address: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.split_whitespace().nth(1).unwrap().parse().unwrap(), body.to_owned())
}
