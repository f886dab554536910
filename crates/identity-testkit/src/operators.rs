//! Operator accounts for tests that act as an operator.

use identity_service::Operator;

use crate::app::TestApp;

/// The first admin operator, `name` (added without a token, as the CLI's
/// bootstrap does), with its token.
pub async fn first_admin(app: &TestApp, name: &str) -> (Operator, String) {
    app.service.bootstrap_operator(name).await.unwrap()
}
