//! What the CLI tests share: the binary with a clean environment, the SDK's inputs, and a
//! `qayd gateway` child process on loopback (with its admin endpoints for faults).
#![allow(dead_code)]

use assert_cmd::Command;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
pub(crate) fn properties() -> PathBuf {
    repo().join("tests/vectors/sdk-R3.4.8/Data/Input/csr-config-example-EN.properties")
}
pub(crate) fn signed_sample() -> PathBuf {
    repo().join("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml")
}

/// The `qayd` binary with none of the developer's `QAYD_*` settings.
pub(crate) fn qayd() -> Command {
    let mut command = Command::cargo_bin("qayd").unwrap();
    for var in [
        "QAYD_SETTINGS",
        "QAYD_ENV",
        "QAYD_CSR_CONFIG",
        "QAYD_OUT",
        "QAYD_OTP",
        "QAYD_OTP_ENV",
        "QAYD_OTP_FILE",
        "QAYD_GATEWAY_PORT",
        "QAYD_DEMO_DIR",
        "QAYD_TIMEOUT",
        "QAYD_STORE",
        "QAYD_MASTER_KEY",
        "QAYD_MASTER_KEY_FILE",
        "QAYD_INSECURE_HTTP",
    ] {
        command.env_remove(var);
    }
    command
}

pub(crate) fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[cfg(unix)]
pub(crate) fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A `qayd gateway --port 0` child process; killed on drop.
pub(crate) struct GatewayProcess {
    pub child: std::process::Child,
    pub url: String,
}

impl GatewayProcess {
    pub(crate) fn start() -> Self {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("qayd"))
            .args(["gateway", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        GatewayProcess { child, url }
    }

    /// One plain HTTP/1.1 request; returns (status line, body).
    pub(crate) fn request(&self, method: &str, path: &str, body: &str) -> (String, String) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_owned(), body.to_owned())
    }

    pub(crate) fn get(&self, path: &str) -> (String, String) {
        self.request("GET", path, "")
    }

    /// Queues a fault (`POST /__qayd/faults`).
    pub(crate) fn inject(&self, fault: serde_json::Value) {
        let (status, body) = self.request("POST", "/__qayd/faults", &fault.to_string());
        assert!(status.contains("20"), "{status} {body}");
    }

    /// How many times the gateway accepted each UUID.
    pub(crate) fn acceptances(&self) -> serde_json::Map<String, serde_json::Value> {
        let (_, body) = self.get("/__qayd/acceptances");
        serde_json::from_str::<serde_json::Value>(&body).unwrap().as_object().unwrap().clone()
    }
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
