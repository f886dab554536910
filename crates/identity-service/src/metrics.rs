//! Counters and latency histograms of the running service, rendered in the
//! Prometheus text format by the web app's `/metrics`. Kept in the service handle
//! (no process-global recorder), so every test sees only its own numbers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// The latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// What each metric means (the `# HELP` line) and its type.
const METRICS: [(&str, &str, &str); 8] = [
    (
        "identity_password_sign_ins_total",
        "counter",
        "Password sign-in attempts (customer area, selfcare, re-authentication), by outcome: ok, failed, throttled (too many failures for the login or address), shed (the hashing queue was full: answered 503 unchecked).",
    ),
    (
        "identity_sign_ins_total",
        "counter",
        "Sign-ins with a digital identity (the holders' access records), by service, level and outcome.",
    ),
    (
        "identity_lockouts_total",
        "counter",
        "Credential lockouts: level 2 blocked after 5 wrong codes.",
    ),
    (
        "identity_http_request_duration_seconds",
        "histogram",
        "Time to answer an HTTP request, by method, route and status.",
    ),
    (
        "identity_job_runs_total",
        "counter",
        "Runs of the calendar jobs, by job and outcome: ok, failed.",
    ),
    (
        "identity_job_actions_total",
        "counter",
        "What the calendar jobs did, by job and action (revoked, suspended, kept_suspended, reactivated, notices_sent, warnings_sent, and purged rows by class).",
    ),
    (
        "identity_federation_resolution_seconds",
        "histogram",
        "Time to resolve a relying party's trust chain (automatic registration), by outcome: ok, refused.",
    ),
    (
        "identity_outbox_messages",
        "gauge",
        "Messages (mail and SMS) in the outbox, by state.",
    ),
];

/// A metric's labels: (name, value) pairs.
pub type Labels = Vec<(&'static str, String)>;

/// A value read at scrape time: the metric's name, its labels, the value.
pub type Gauge = (&'static str, Labels, f64);

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The service's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(&'static str, Labels), u64>>,
    histograms: Mutex<BTreeMap<(&'static str, Labels), Histogram>>,
}

fn labels(pairs: &[(&'static str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn label_text(labels: &Labels, extra: Option<(&str, String)>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

impl Metrics {
    /// Adds one to counter `name` with `labels`.
    pub fn count(&self, name: &'static str, labels_: &[(&'static str, &str)]) {
        self.count_by(name, labels_, 1);
    }

    /// Adds `n` to counter `name` with `labels`.
    pub fn count_by(&self, name: &'static str, labels_: &[(&'static str, &str)], n: u64) {
        let mut c = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *c.entry((name, labels(labels_))).or_default() += n;
    }

    /// Records one trust-chain resolution.
    pub fn federation_resolution(&self, took: std::time::Duration, ok: bool) {
        let outcome = if ok { "ok" } else { "refused" };
        self.observe(
            "identity_federation_resolution_seconds",
            &[("outcome", outcome)],
            took.as_secs_f64(),
        );
    }

    /// Records `seconds` in histogram `name` with `labels`.
    pub fn observe(&self, name: &'static str, labels_: &[(&'static str, &str)], seconds: f64) {
        let mut h = self
            .histograms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = h.entry((name, labels(labels_))).or_default();
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                entry.buckets[i] += 1;
            }
        }
        entry.count += 1;
        entry.sum += seconds;
    }

    /// The Prometheus text exposition of every metric, with `gauges` (name,
    /// labels, value) read at scrape time added.
    #[must_use]
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let counters = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let histograms = self
            .histograms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let mut out = String::new();
        for (name, kind, help) in METRICS {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for ((n, l), v) in &counters {
                if *n == name {
                    let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
                }
            }
            for ((n, l), h) in &histograms {
                if *n != name {
                    continue;
                }
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{} {}",
                        label_text(l, Some(("le", le.to_string()))),
                        h.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "{name}_bucket{} {}",
                    label_text(l, Some(("le", "+Inf".into()))),
                    h.count
                );
                let _ = writeln!(out, "{name}_sum{} {}", label_text(l, None), h.sum);
                let _ = writeln!(out, "{name}_count{} {}", label_text(l, None), h.count);
            }
            for (n, l, v) in gauges {
                if *n == name {
                    let _ = writeln!(out, "{name}{} {v}", label_text(l, None));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges_in_the_text_format() {
        let m = Metrics::default();
        m.count("identity_password_sign_ins_total", &[("outcome", "ok")]);
        m.count("identity_password_sign_ins_total", &[("outcome", "ok")]);
        m.observe(
            "identity_http_request_duration_seconds",
            &[("route", "/a\"b")],
            0.03,
        );
        let text = m.render(&[(
            "identity_outbox_messages",
            vec![("state", "pending".into())],
            3.0,
        )]);
        assert!(text.contains("# TYPE identity_password_sign_ins_total counter"));
        assert!(text.contains("identity_password_sign_ins_total{outcome=\"ok\"} 2"));
        assert!(text.contains(
            "identity_http_request_duration_seconds_bucket{route=\"/a\\\"b\",le=\"0.025\"} 0"
        ));
        assert!(text.contains(
            "identity_http_request_duration_seconds_bucket{route=\"/a\\\"b\",le=\"0.05\"} 1"
        ));
        assert!(text.contains("identity_http_request_duration_seconds_count{route=\"/a\\\"b\"} 1"));
        assert!(text.contains("identity_outbox_messages{state=\"pending\"} 3"));
    }
}
