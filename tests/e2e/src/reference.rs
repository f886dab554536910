//! The Italian government's reference SPID/CIE OpenID Connect federation
//! (PyPI `spid-cie-oidc`, unmodified), run by `tests/federation/reference/run.py`
//! as a trust anchor and a relying party beside the provider under test.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The harness script.
const RUN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../federation/reference/run.py"
);

/// A running trust anchor and relying party; stopped (and their state
/// removed) when dropped.
pub struct Reference {
    child: Child,
    /// The trust anchor's entity id (`http://127.0.0.1:<port>/`).
    pub ta: String,
    /// The relying party's entity id, which is its `client_id`.
    pub rp: String,
    /// Their state: sqlite files, keys, the trust mark issued to the provider.
    pub state: PathBuf,
}

impl Drop for Reference {
    fn drop(&mut self) {
        // run.py stops its servers on SIGTERM.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.state);
    }
}

/// Whether the reference federation can run here (python3 with venv support).
/// When it cannot, the test says so and is skipped, unless
/// `REQUIRE_REFERENCE_FEDERATION` is set (CI), which fails it.
#[must_use]
pub fn reference_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("REQUIRE_REFERENCE_FEDERATION").is_err(),
            "REQUIRE_REFERENCE_FEDERATION is set but python3 cannot make a venv"
        );
        eprintln!("python3 venv missing: the reference federation test is skipped");
    }
    ok
}

impl Reference {
    /// Starts the trust anchor and the relying party on free ports, with
    /// `op_url` (the provider's entity id, already serving its entity
    /// configuration) registered as the anchor's subordinate. Installs the
    /// package in its venv the first time (a minute or two).
    pub fn start(op_url: &str) -> Reference {
        let ta = format!("http://127.0.0.1:{}/", crate::free_port());
        let rp = format!("http://127.0.0.1:{}/", crate::free_port());
        let state = std::env::temp_dir().join(format!(
            "reference-federation-{}-{}",
            std::process::id(),
            crate::free_port()
        ));
        let mut child = Command::new("python3")
            .args([RUN, "--serve", "--check-op", "no"])
            .env("TA_URL", &ta)
            .env("RP_URL", &rp)
            .env("OP_URL", op_url)
            .env("REFERENCE_STATE_DIR", &state)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                eprintln!("{line}");
                if line.contains("serving; Ctrl-C to stop") {
                    let _ = tx.send(());
                }
            }
        });
        let reference = Reference {
            child,
            ta,
            rp,
            state,
        };
        rx.recv_timeout(Duration::from_secs(420))
            .expect("the reference federation started (see its output above)");
        reference
    }

    /// The trust mark the anchor issued to the provider (the signed JWT).
    #[must_use]
    pub fn provider_trust_mark(&self) -> String {
        let text = std::fs::read_to_string(self.state.join("op_trust_mark.json"))
            .expect("the anchor issued a trust mark to the provider");
        let element: serde_json::Value = serde_json::from_str(&text).unwrap();
        element["trust_mark"].as_str().unwrap().to_owned()
    }

    /// The relying party's address that starts a SPID sign-in with `op_url`.
    #[must_use]
    pub fn sign_in_url(&self, op_url: &str) -> String {
        let mut url = url::Url::parse(&self.rp)
            .unwrap()
            .join("oidc/rp/authorization")
            .unwrap();
        url.query_pairs_mut()
            .append_pair("provider", op_url)
            .append_pair("profile", "spid");
        url.to_string()
    }
}
