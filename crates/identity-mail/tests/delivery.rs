//! Delivery of the durable outbox: through a real SMTP server on loopback (Python
//! aiosmtpd) including a period when it is down, into `.eml` files, and by two
//! workers at once without sending anything twice.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use chrono::Duration;
use identity_mail::{
    Delivery, DeliveryReport, FileTransport, MailTransport, MemoryTransport, SmtpSecurity,
    SmtpTransport,
};
use identity_service::{Clock, OutboxStatus, Store};

fn from() -> lettre::message::Mailbox {
    "Identità digitale <noreply@identita.example.it>"
        .parse()
        .unwrap()
}

/// An aiosmtpd server writing what it receives to a Maildir; killed on drop.
struct SmtpServer {
    child: Child,
    maildir: std::path::PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    fn received(&self) -> Vec<String> {
        let new = self.maildir.join("new");
        let mut mails: Vec<String> = std::fs::read_dir(new)
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        mails.sort();
        mails
    }
}

fn aiosmtpd_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("REQUIRE_SMTP_TESTS").is_err(),
            "REQUIRE_SMTP_TESTS is set but Python's aiosmtpd is missing: pip install aiosmtpd"
        );
        eprintln!("aiosmtpd not installed: SMTP delivery test skipped (pip install aiosmtpd)");
    }
    ok
}

async fn start_smtp(port: u16, maildir: std::path::PathBuf) -> SmtpServer {
    let child = Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    identity_testkit::wait_for_port(port, "aiosmtpd").await;
    SmtpServer { child, maildir }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_delivery_survives_a_server_outage_and_never_sends_twice() {
    if !aiosmtpd_available() {
        return;
    }
    let h = identity_testkit::sqlite().await;
    let registered = identity_testkit::registered_mario(&h).await;
    let port = identity_testkit::free_port();
    let smtp = SmtpTransport::new(from(), "127.0.0.1", port, SmtpSecurity::None, None).unwrap();
    let delivery = Delivery::new(h.store.clone(), Arc::new(smtp), h.clock.clone());

    // The server is down: the message stays queued for a retry.
    let report = delivery.deliver_due().await.unwrap();
    assert_eq!(
        report,
        DeliveryReport {
            sent: 0,
            retried: 1,
            failed: 0
        }
    );
    // Not due again until the backoff has passed.
    assert_eq!(
        delivery.deliver_due().await.unwrap(),
        DeliveryReport::default()
    );

    let dir = tempfile::tempdir().unwrap();
    let server = start_smtp(port, dir.path().join("maildir")).await;
    h.clock.advance(Duration::seconds(31));
    assert_eq!(delivery.deliver_due().await.unwrap().sent, 1);
    let received = server.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert!(mail.contains("To: mario.rossi@example.it"), "{mail}");
    assert!(mail.contains("Subject: Registrazione completata"), "{mail}");
    assert!(
        mail.contains(&registered.login_id.to_string()),
        "the login id is in the mail: {mail}"
    );
    assert!(
        !mail.contains(identity_testkit::PASSWORD),
        "never the password"
    );

    // Later passes send nothing again.
    h.clock.advance(Duration::hours(2));
    assert_eq!(
        delivery.deliver_due().await.unwrap(),
        DeliveryReport::default()
    );
    assert_eq!(server.received().len(), 1);
    let mut tx = h.store.begin().await.unwrap();
    let outbox = tx.outbox(None, 10).await.unwrap();
    assert_eq!(outbox[0].status, OutboxStatus::Sent);
    assert_eq!(outbox[0].attempts, 2);
    // Fixed by the outbox row, so a copy sent again after a crash is recognisable.
    let id_line = format!("Message-ID: <{}@identita.example.it>", outbox[0].id);
    assert!(mail.contains(&id_line), "{mail}");
    assert!(mail.contains("\nDate: "), "{mail}");
}

/// Sends slowly (each mail moves the clock 20 seconds), and at each send lets a
/// rival worker try its pass: it must find nothing to send.
struct SlowTransport {
    clock: Arc<identity_service::ManualClock>,
    sent: MemoryTransport,
    rival: Delivery,
    rival_sent: std::sync::Mutex<u32>,
}

#[async_trait::async_trait]
impl MailTransport for SlowTransport {
    async fn send(
        &self,
        mail: &identity_mail::RenderedMail,
    ) -> Result<(), identity_mail::TransportError> {
        self.clock.advance(Duration::seconds(20));
        let rival = self.rival.deliver_due().await.unwrap();
        *self.rival_sent.lock().unwrap() += rival.sent;
        self.sent.send(mail).await
    }
}

async fn a_slow_batch_keeps_its_lease_and_a_crashed_one_is_retried_within_a_minute(
    h: identity_testkit::TestApp,
) {
    for i in 0..4 {
        h.service
            .register(identity_testkit::person_registration(&format!(
                "u{i}@example.it"
            )))
            .await
            .unwrap();
    }
    let rival_mail = MemoryTransport::default();
    let slow = Arc::new(SlowTransport {
        clock: h.clock.clone(),
        sent: MemoryTransport::default(),
        rival: Delivery::new(
            h.store.clone(),
            Arc::new(rival_mail.clone()),
            h.clock.clone(),
        ),
        rival_sent: std::sync::Mutex::new(0),
    });
    // Four mails at 20 seconds each outlast one 45-second lease: it is renewed.
    let worker = Delivery::new(h.store.clone(), slow.clone(), h.clock.clone());
    assert_eq!(worker.deliver_due().await.unwrap().sent, 4);
    assert_eq!(
        *slow.rival_sent.lock().unwrap(),
        0,
        "the rival sent nothing"
    );
    assert_eq!(slow.sent.sent().len(), 4);

    // A worker that claims and dies: its messages go out within a minute.
    h.service
        .register(identity_testkit::person_registration("late@example.it"))
        .await
        .unwrap();
    let now = h.clock.now();
    let mut tx = h.store.begin().await.unwrap();
    let claimed = tx
        .claim_due_mail(now, now + worker.lease, 50)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(worker.deliver_due().await.unwrap().sent, 0, "still leased");
    h.clock.advance(Duration::seconds(46));
    let after = MemoryTransport::default();
    let other = Delivery::new(h.store.clone(), Arc::new(after.clone()), h.clock.clone());
    assert_eq!(other.deliver_due().await.unwrap().sent, 1);
    assert_eq!(after.sent()[0].id, claimed[0].id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_slow_batch_keeps_its_lease_and_a_crashed_one_is_retried_within_a_minute() {
    a_slow_batch_keeps_its_lease_and_a_crashed_one_is_retried_within_a_minute(
        identity_testkit::sqlite().await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_slow_batch_keeps_its_lease_and_a_crashed_one_is_retried_within_a_minute() {
    if let Some(h) = identity_testkit::postgres().await {
        a_slow_batch_keeps_its_lease_and_a_crashed_one_is_retried_within_a_minute(h).await;
    }
}

#[tokio::test]
async fn the_file_transport_writes_one_eml_per_message() {
    let h = identity_testkit::sqlite().await;
    h.service
        .register(identity_testkit::company_registration())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = FileTransport::new(from(), dir.path().join("mail"));
    let delivery = Delivery::new(h.store.clone(), Arc::new(files), h.clock.clone());
    assert_eq!(delivery.deliver_due().await.unwrap().sent, 1);
    let written: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .collect();
    assert_eq!(written.len(), 1);
    let eml = std::fs::read_to_string(written[0].as_ref().unwrap().path()).unwrap();
    assert!(
        eml.contains("Subject: Registration confirmed"),
        "in the holder's language: {eml}"
    );
    assert!(
        eml.contains("multipart/alternative"),
        "text and HTML: {eml}"
    );
}

async fn two_workers_send_each_message_once(h: identity_testkit::TestApp) {
    for i in 0..30 {
        h.service
            .register(identity_testkit::person_registration(&format!(
                "u{i}@example.it"
            )))
            .await
            .unwrap();
    }
    let memory = MemoryTransport::default();
    let transport: Arc<dyn MailTransport> = Arc::new(memory.clone());
    let mut workers = Vec::new();
    for _ in 0..2 {
        let mut d = Delivery::new(h.store.clone(), transport.clone(), h.clock.clone());
        d.batch = 4;
        workers.push(tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let r = d.deliver_due().await.unwrap();
                if r.sent == 0 {
                    return sent;
                }
                sent += r.sent;
            }
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    assert_eq!(total, 30);
    let mut ids: Vec<_> = memory.sent().iter().map(|m| m.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "each message was sent exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_two_workers_send_each_message_once() {
    two_workers_send_each_message_once(identity_testkit::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_workers_send_each_message_once() {
    if let Some(h) = identity_testkit::postgres().await {
        two_workers_send_each_message_once(h).await;
    }
}
