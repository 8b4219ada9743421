//! Running the real `rukun` binary: commands, and a `rukun serve` read line by line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `rukun --book BOOK` with the test passphrase and cheap key derivation.
pub fn rukun(book: &Path) -> Command {
    let mut c = Command::new(crate::rukun_bin().unwrap());
    c.arg("--book")
        .arg(book)
        .env("RUKUN_PASSPHRASE", crate::PASS)
        .env("RUKUN_INSECURE_FAST_KDF", "1")
        .env_remove("RUKUN_BOOK")
        .env_remove("RUKUN_LOG");
    c
}

/// Status, stdout and stderr of a finished command, for assertion messages.
pub fn show(o: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs a command that must succeed; its stdout.
pub fn ok(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", show(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `rukun init` of group `name` in RW 08 Sorosutan; the new member id.
pub fn init(book: &Path, name: &str) -> String {
    let out = ok(rukun(book).args([
        "init",
        "--name",
        name,
        "--kelurahan",
        "Sorosutan",
        "--kode-wilayah",
        "34.71.13.1006",
        "--rw",
        "8",
        "--rt",
        "27,28,29,30,31",
        "--member",
        "Bu Sri",
    ]));
    out.lines()
        .find_map(|l| l.strip_prefix("member "))
        .unwrap()
        .to_owned()
}

/// A running `rukun serve` with its stdout read line by line on a thread.
pub struct Serve {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Serve {
    /// Starts `cmd` (a `rukun serve`).
    pub fn start(mut cmd: Command) -> Serve {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Serve { child, lines }
    }

    /// The next stdout line (waits up to a minute).
    pub fn line(&self) -> String {
        self.line_within(Duration::from_secs(60))
            .expect("a line from rukun serve")
    }

    /// The next stdout line, or `None` when none came within `wait` (or stdout closed).
    pub fn line_within(&self, wait: Duration) -> Option<String> {
        self.lines.recv_timeout(wait).ok()
    }

    /// Sends SIGTERM and waits: `rukun serve` stops cleanly (status 0).
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let st = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(st.success());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(status.success(), "serve exited with {status}: {err}");
        assert!(err.contains("stopped"), "{err}");
        err
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rukun serve --bind 127.0.0.1:0 [--invite ROLE]`: the server, its ticket and invite.
pub fn serve_loopback(book: &Path, invite: Option<&str>) -> (Serve, String, Option<String>) {
    let mut cmd = rukun(book);
    cmd.args(["serve", "--bind", "127.0.0.1:0"]);
    if let Some(role) = invite {
        cmd.args(["--invite", role]);
    }
    let s = Serve::start(cmd);
    let ticket = s.line().strip_prefix("ticket ").unwrap().to_owned();
    let invite = invite.map(|_| {
        let invite = s.line().strip_prefix("invite ").unwrap().to_owned();
        // Then its short code (`code RKN-XXXX-YYYY`).
        assert!(s.line().starts_with("code RKN-"));
        invite
    });
    (s, ticket, invite)
}

/// `rukun join INVITE --name NAME` on loopback.
pub fn join(book: &Path, invite: &str, name: &str) -> Output {
    rukun(book)
        .args(["join", invite, "--name", name, "--bind", "127.0.0.1:0"])
        .output()
        .unwrap()
}
