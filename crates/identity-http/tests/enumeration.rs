//! No account enumeration: every page that takes an identifier without the
//! credentials that go with it answers an identifier on file (Mario, with a live
//! digital identity) exactly as one that is not (status, body, headers), once the
//! identifier itself and the per-request values are set aside. The API takes no
//! identifier without a client token, so it has no such operation. The timing of
//! the same pairs is measured by `cargo bench -p identity-http --bench enumeration`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use identity_testkit::enumeration::{normalised, probes};
use identity_testkit::{TestServer, active_identity};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_an_identifier_on_file_as_one_that_is_not() {
    let count = probes(&active_identity(&identity_testkit::sqlite().await).await).len();
    for i in 0..count {
        // A fresh service for each page: the per-address limits the pages share
        // (every request here comes from 127.0.0.1) must not tell the two apart.
        let h = identity_testkit::sqlite().await;
        let mario = active_identity(&h).await;
        let server = TestServer::start(h.service.clone()).await;
        let p = &probes(&mario)[i];
        let mut answers = Vec::new();
        for known in [true, false] {
            let mut ready = p.prepare(server.addr, known).await;
            let reply = ready.post().await;
            assert!(
                reply.status < 500,
                "{}: {} {}",
                p.path,
                reply.status,
                reply.body
            );
            answers.push(normalised(&reply, &ready.sent));
        }
        let (known, unknown) = (&answers[0], &answers[1]);
        assert_eq!(known.0, unknown.0, "{}: status", p.path);
        assert_eq!(known.1, unknown.1, "{}: body", p.path);
        assert_eq!(known.2, unknown.2, "{}: headers", p.path);
        server.stop().await;
    }
}
